package io.catchment;

/** Root of Catchment's unchecked exceptions. Messages carry the facts: which event, which field, expected vs actual. */
public class CatchmentException extends RuntimeException {
    public CatchmentException(String message) {
        super(message);
    }

    public CatchmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
