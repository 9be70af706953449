package io.catchment;

/**
 * A log or store another process holds (a running server, another import): its lock could not be taken. Nothing was
 * changed; the caller may go through that process instead (as {@code catchment import} does, through the server's
 * API).
 */
public final class InUseException extends CatchmentException {
    public InUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
