package io.catchment.analytics;

/** A report request that cannot be answered as written: {@code field} is the JSON path of what is wrong. */
public final class BadRequest extends RuntimeException {
    private final String field;

    public BadRequest(String field, String message) {
        super(field.isEmpty() ? message : field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
