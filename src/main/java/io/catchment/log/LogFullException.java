package io.catchment.log;

import io.catchment.CatchmentException;

/** The log's disk quota is reached; the caller should retry after the loader catches up. */
public final class LogFullException extends CatchmentException {
  public LogFullException(String message) {
    super(message);
  }
}
