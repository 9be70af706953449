package io.catchment.log;

import java.io.IOException;

/**
 * The local log refuses appends because an fsync of a segment failed (or cutting a segment back after a failed write
 * failed): the bytes after the last successful fsync cannot be vouched for, and no later fsync would prove them
 * durable. Every append is refused with this until the log is reopened (restart Catchment); records acknowledged
 * before the failure stay readable and survive the reopen. The rule is in {@code LocalLog}'s class comment.
 */
public final class LogPoisonedException extends IOException {
    public LogPoisonedException(String message, Throwable cause) {
        super(message, cause);
    }
}
