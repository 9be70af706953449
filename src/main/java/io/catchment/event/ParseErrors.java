package io.catchment.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Messages for JSON a client sent that cannot be read, for its 400 answer. Jackson's limits (a number of over 1,000
 * digits, nesting over 1,000 deep: {@link com.fasterxml.jackson.core.StreamReadConstraints}) throw without a
 * location, so a message never relies on one; a limit names the field it was reading instead, as a JSON Pointer.
 */
public final class ParseErrors {
    private static final int MAX_POINTER = 200;

    private ParseErrors() {}

    /** Whether the failure is one of Jackson's limits rather than malformed JSON. */
    public static boolean isLimit(JsonProcessingException e) {
        return e instanceof StreamConstraintsException;
    }

    /**
     * {@code malformed JSON at line L, column C: …}, or for a limit {@code field /a/b: number value length (1001)
     * exceeds the maximum allowed (1000)}; {@code p} (may be null) is the parser that failed.
     */
    public static String describe(JsonProcessingException e, JsonParser p) {
        String msg = e.getOriginalMessage() == null ? String.valueOf(e.getMessage()) : e.getOriginalMessage();
        if (isLimit(e)) {
            msg = msg.replaceFirst(", from `[^`]*`\\)", ")");
            return (p == null ? "" : "field " + field(p) + ": ")
                    + Character.toLowerCase(msg.charAt(0))
                    + msg.substring(1);
        }
        JsonLocation at = e.getLocation() != null ? e.getLocation() : p == null ? null : p.currentLocation();
        return "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                + ": " + msg;
    }

    /** The value the parser is at, as a JSON Pointer ({@code /batch/0/properties/revenue}), abbreviated; "/" at the top. */
    public static String field(JsonParser p) {
        String ptr = p.getParsingContext().pathAsPointer().toString();
        if (ptr.isEmpty()) return "/";
        return ptr.length() <= MAX_POINTER ? ptr : ptr.substring(0, MAX_POINTER) + "…";
    }
}
