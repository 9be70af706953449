package io.catchment.log;

import io.catchment.CatchmentException;

/**
 * The log cannot take the record now: its quota ({@code log.max_bytes}) is reached, or its disk is full
 * ({@link DiskFullException}). Nothing was stored; the caller should retry later (the collector answers 503 with
 * {@code Retry-After}). The log stays usable.
 */
public sealed class LogFullException extends CatchmentException permits DiskFullException {
    public LogFullException(String message) {
        super(message);
    }

    LogFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
