package io.catchment.sink;

/** A write to the store failed; {@link #transientFailure()} says whether retrying the same batch can succeed. */
public final class SinkException extends Exception {
  private final boolean transientFailure;

  public SinkException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public boolean transientFailure() {
    return transientFailure;
  }
}
