package io.catchment.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import io.catchment.event.EventJson;
import io.catchment.format.Format;
import io.catchment.format.InvalidEventException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * What one line of an import becomes: its event in canonical JSON ({@code json}, as {@link EventJson} writes it for
 * the log), or a dead line with the reason ({@code problem}). A line is never an exception: invalid JSON, a number
 * no decimal holds, bytes Jackson takes for another encoding (a line starting with NULs), an event its format
 * refuses, and an event nested too deep to be written once normalised (a native line's top-level keys move one level
 * down, under properties) are all dead lines.
 */
public record ImportedLine(byte[] json, String problem) {
    /** The current line of {@code r}, in {@code forced} format or the one its keys tell ({@link Format#detect}). */
    public static ImportedLine read(JsonLines r, Format forced, String source, Instant receivedAt) throws IOException {
        try {
            JsonNode node = r.tree();
            if (!(node instanceof ObjectNode o))
                throw new InvalidEventException(0, null, "the line is not a JSON object");
            Format f = forced != null ? forced : Format.detect(o);
            Event event = f.toEvent(o, 0, source, receivedAt);
            try {
                return new ImportedLine(EventJson.toBytes(event), null);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof StreamConstraintsException c)
                    return dead("once normalised: " + c.getOriginalMessage());
                throw e;
            }
        } catch (JsonProcessingException e) {
            return dead("invalid JSON: " + e.getOriginalMessage());
        } catch (CharConversionException e) { // NULs first: Jackson guesses UTF-32 from the first bytes, then fails
            return dead("invalid JSON: " + e.getMessage());
        } catch (NumberFormatException e) { // a number no decimal can hold (an exponent of 100 digits)
            return dead("a number cannot be read: " + e.getMessage());
        } catch (InvalidEventException e) {
            return dead(e.getMessage().replaceFirst("^event 0: ", ""));
        }
    }

    private static ImportedLine dead(String problem) {
        return new ImportedLine(null, problem);
    }
}
