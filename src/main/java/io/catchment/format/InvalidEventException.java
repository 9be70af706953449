package io.catchment.format;

import io.catchment.CatchmentException;

/** One event of a request is invalid: which one, which field, and what is wrong. */
public final class InvalidEventException extends CatchmentException {
  private final int index;
  private final String field;

  public InvalidEventException(int index, String field, String message) {
    super(message);
    this.index = index;
    this.field = field;
  }

  public int index() {
    return index;
  }

  public String field() {
    return field;
  }
}
