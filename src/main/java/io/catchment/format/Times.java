package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Reads event times from JSON: ISO-8601 strings, or epoch numbers (seconds, or milliseconds above 10^11). */
public final class Times {
    private static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");

    private Times() {}

    /** Returns the instant, null for a missing/null node, or throws with the field named. */
    public static Instant parse(JsonNode n, int index, String field) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        Instant t = null;
        if (n.isTextual()) {
            t = io.catchment.schema.Flattener.parseTime(n.textValue());
        } else if (n.isNumber()) {
            double v = n.doubleValue();
            if (Math.abs(v) < 1e15) {
                long millis = Math.abs(v) >= 1e11 ? (long) v : (long) (v * 1000);
                t = Instant.ofEpochMilli(millis);
            }
        }
        if (t == null) {
            throw new InvalidEventException(
                    index,
                    field,
                    "event " + index + ": " + field + " must be an ISO-8601 date-time "
                            + "(2024-05-01T10:00:00Z) or epoch seconds/milliseconds, got " + abbreviate(n.toString()));
        }
        return checkRange(t, index, field);
    }

    /** Throws unless {@code t} is within years 1..9999 UTC, the range every store can hold. */
    public static Instant checkRange(Instant t, int index, String field) {
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw new InvalidEventException(
                    index, field, "event " + index + ": " + field + " is outside years 1..9999");
        }
        return t;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
