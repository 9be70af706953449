package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import java.time.Duration;
import java.time.Instant;

/** Small readers shared by the vendor mappings: typed field access that names the event and field when wrong. */
final class VendorFields {
    private VendorFields() {}

    static JsonNode get(JsonNode o, String key) {
        JsonNode n = o == null ? null : o.get(key);
        return n == null || n.isNull() ? null : n;
    }

    /** A string (numbers kept as their text); null when absent or blank. */
    static String text(JsonNode o, int index, String key) {
        JsonNode n = get(o, key);
        if (n == null) return null;
        if (n.isTextual()) return n.textValue().isEmpty() ? null : n.textValue();
        if (n.isNumber() || n.isBoolean()) return n.asText();
        throw new InvalidEventException(
                index,
                key,
                "event " + index + ": " + key + " must be a string, got "
                        + n.getNodeType().name().toLowerCase());
    }

    static ObjectNode object(JsonNode o, int index, String key) {
        JsonNode n = get(o, key);
        if (n == null) return null;
        if (n instanceof ObjectNode on) return on;
        throw new InvalidEventException(
                index,
                key,
                "event " + index + ": " + key + " must be a JSON object, got "
                        + n.getNodeType().name().toLowerCase());
    }

    static ObjectNode emptyToNull(ObjectNode o) {
        return o == null || o.isEmpty() ? null : o;
    }

    static ObjectNode newObject() {
        return EventJson.MAPPER.createObjectNode();
    }

    /** Epoch seconds or milliseconds, the way Mixpanel tells them apart: above 10^10 is milliseconds. */
    static Instant epochSecondsOrMillis(JsonNode n, int index, String key) {
        if (n == null) return null;
        if (n.isTextual() && !n.textValue().isBlank() && n.textValue().chars().allMatch(Character::isDigit)) {
            n = EventJson.MAPPER.getNodeFactory().numberNode(Long.parseLong(n.textValue()));
        }
        if (!n.isNumber()) return Times.parse(n, index, key);
        double v = n.doubleValue();
        if (Math.abs(v) >= 1e15) {
            throw new InvalidEventException(
                    index, key, "event " + index + ": " + key + " is not epoch seconds or " + "milliseconds: " + n);
        }
        long millis = Math.abs(v) > 1e10 ? (long) v : (long) (v * 1000);
        return Times.checkRange(Instant.ofEpochMilli(millis), index, key);
    }

    /** {@code receivedAt − (sentAt − clientTime)}: the client's clock skew taken out of its event time. */
    static Instant corrected(Instant clientTime, Instant sentAt, Instant receivedAt, int index) {
        if (clientTime == null) return receivedAt;
        if (sentAt == null) return clientTime;
        return Times.checkRange(
                receivedAt.minus(Duration.between(clientTime, sentAt)),
                index,
                "timestamp (after clock-skew correction with sent_at)");
    }
}
