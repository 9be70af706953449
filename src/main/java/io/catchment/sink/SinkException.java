package io.catchment.sink;

/** A write to the store failed; {@link #transientFailure()} says whether retrying the same batch can succeed. */
public final class SinkException extends Exception {
    private final boolean transientFailure;
    private final String culpritId;

    public SinkException(String message, Throwable cause, boolean transientFailure) {
        this(message, cause, transientFailure, null);
    }

    /** @param culpritId the id of the event the store's message names as the one it refused, when it names one */
    public SinkException(String message, Throwable cause, boolean transientFailure, String culpritId) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.culpritId = culpritId;
    }

    /**
     * The id of the event the store's own message points at (DuckDB's CSV reader quotes the refused row), or null. A
     * hint only: the loader writes that event alone to confirm it before setting it aside.
     */
    public String culpritId() {
        return culpritId;
    }

    public boolean transientFailure() {
        return transientFailure;
    }
}
