package io.catchment.sink;

import io.catchment.CatchmentException;

/** A query was refused (not read-only), failed in the store, or ran out of time; the message is for the user. */
public final class QueryException extends CatchmentException {
    public enum Reason {
        FORBIDDEN,
        INVALID,
        TIMEOUT,
        UNAVAILABLE
    }

    private final Reason reason;

    public QueryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
