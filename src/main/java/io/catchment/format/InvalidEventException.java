package io.catchment.format;

import io.catchment.CatchmentException;

/**
 * One event of a request is invalid: which one, which field, and what is wrong; {@link #tooLarge} when what is wrong
 * is its size (the API answers 413 rather than 400).
 */
public final class InvalidEventException extends CatchmentException {
    private final int index;
    private final String field;
    private final boolean tooLarge;

    public InvalidEventException(int index, String field, String message) {
        this(index, field, message, false);
    }

    private InvalidEventException(int index, String field, String message, boolean tooLarge) {
        super(message);
        this.index = index;
        this.field = field;
        this.tooLarge = tooLarge;
    }

    /** An event over a size limit. */
    public static InvalidEventException tooLarge(int index, String message) {
        return new InvalidEventException(index, null, message, true);
    }

    public boolean tooLarge() {
        return tooLarge;
    }

    public int index() {
        return index;
    }

    public String field() {
        return field;
    }
}
