package io.catchment.log;

import io.catchment.CatchmentException;

/**
 * One event of a record is larger than the log can hold in one piece (an SQS message: a record is split between
 * events, never inside one). Nothing of the record was stored, and sending it again cannot succeed: the collector
 * answers 413 naming the event. {@link #index} is the event's position in the record, which is its index in the
 * request.
 */
public final class EventTooLargeException extends CatchmentException {
    private final int index;
    private final String detail;

    /** {@code detail} follows the event's name: "takes 300000 bytes, more than…". */
    public EventTooLargeException(int index, String detail) {
        super("event " + index + " " + detail);
        this.index = index;
        this.detail = detail;
    }

    /** What is too large, and the limit, without the event's name. */
    public String detail() {
        return detail;
    }

    /** The event's position in the record (0-based). */
    public int index() {
        return index;
    }
}
