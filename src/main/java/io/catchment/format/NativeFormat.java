package io.catchment.format;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import io.catchment.event.EventJson;
import io.catchment.event.ParseErrors;
import io.catchment.schema.Names;
import java.io.CharConversionException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Catchment's own ingestion format: a JSON object, a JSON array of objects, or NDJSON (objects separated by
 * newlines). Keys are accepted in snake_case or camelCase: {@code id}/{@code messageId}, {@code type} (default
 * {@code track}), {@code event}, {@code user_id}, {@code anonymous_id}, {@code group_id}, {@code previous_id},
 * {@code timestamp}, {@code sent_at}, {@code properties}, {@code traits}, {@code context}, {@code name} (page and
 * screen). Any other top-level key is kept as a property (a trait for identify and group), so nothing is dropped.
 * Without an id, the id is a hash of the event's JSON (plus its arrival time when it has no timestamp of its own), so
 * the same timed event sent twice gets the same id while two untimed identical clicks stay two events. Stateless.
 */
public final class NativeFormat {
    private static final Set<String> ENVELOPE = Set.of(
            "id",
            "messageId",
            "message_id",
            "type",
            "event",
            "user_id",
            "userId",
            "anonymous_id",
            "anonymousId",
            "group_id",
            "groupId",
            "previous_id",
            "previousId",
            "timestamp",
            "originalTimestamp",
            "sent_at",
            "sentAt",
            "properties",
            "traits",
            "context",
            "name",
            "received_at",
            "receivedAt",
            "source");
    private static final int MAX_ID_LENGTH = 256;

    private NativeFormat() {}

    /** A parsed request: each event's JSON and its size in bytes. */
    public record Parsed(List<ObjectNode> events, List<Integer> sizes) {}

    /** Splits a body into event objects; throws {@link InvalidEventException} naming the event index. */
    public static Parsed split(byte[] body, long maxEventBytes) {
        List<ObjectNode> events = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        try (JsonParser p = EventJson.MAPPER.getFactory().createParser(body)) {
            try {
                return split(p, maxEventBytes, events, sizes);
            } catch (StreamConstraintsException e) { // a limit of Jackson's, without a location: name the field
                throw new InvalidEventException(
                        events.size(),
                        ParseErrors.field(p),
                        "event " + events.size() + ": " + ParseErrors.describe(e, p));
            }
        } catch (CharConversionException e) {
            throw new InvalidEventException(
                    events.size(),
                    null,
                    "the body is not valid UTF-8 (near event " + events.size() + "): " + e.getMessage());
        } catch (JsonParseException e) {
            int index = events.size();
            String msg = e.getOriginalMessage();
            String what = msg != null && msg.contains("UTF-8") ? "invalid UTF-8" : "malformed JSON";
            throw new InvalidEventException(
                    index,
                    null,
                    what + " in event " + index + " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + msg);
        } catch (IOException e) {
            throw new InvalidEventException(
                    events.size(), null, "cannot read event " + events.size() + ": " + e.getMessage());
        }
    }

    /** Reads the events from {@code p} into {@code events} and {@code sizes}. */
    private static Parsed split(JsonParser p, long maxEventBytes, List<ObjectNode> events, List<Integer> sizes)
            throws IOException {
        JsonToken t = p.nextToken();
        if (t == null)
            throw new InvalidEventException(-1, null, "the body is empty: send a JSON object, array or NDJSON");
        boolean array = t == JsonToken.START_ARRAY;
        if (array) t = p.nextToken();
        while (t != null && !(array && t == JsonToken.END_ARRAY)) {
            int index = events.size();
            long start = p.currentTokenLocation().getByteOffset();
            if (t != JsonToken.START_OBJECT) {
                throw new InvalidEventException(
                        index, null, "event " + index + " is not a JSON object (found " + describe(t) + ")");
            }
            ObjectNode node = EventJson.MAPPER.readTree(p);
            long size = p.currentLocation().getByteOffset() - start;
            if (size > maxEventBytes) {
                throw InvalidEventException.tooLarge(
                        index,
                        "event " + index + " is " + size + " bytes, over the limit of " + maxEventBytes
                                + " bytes per event");
            }
            events.add(node);
            sizes.add((int) size);
            t = p.nextToken();
        }
        if (array && p.nextToken() != null) {
            throw new InvalidEventException(-1, null, "unexpected data after the closing ] of the array");
        }
        return new Parsed(events, sizes);
    }

    /** Normalises one event to the canonical envelope. */
    public static Event toEvent(ObjectNode raw, int index, String source, Instant receivedAt) {
        String type = text(raw, index, "type", "type");
        if (type == null) type = "track";
        if (!Event.TYPES.contains(type)) {
            throw new InvalidEventException(
                    index,
                    "type",
                    "event " + index + ": type must be one of " + Event.TYPES + ", got \"" + Times.abbreviate(type)
                            + "\"");
        }
        String name = text(raw, index, "event", "event");
        if (name == null && (type.equals("page") || type.equals("screen"))) name = text(raw, index, "name", "name");
        if (type.equals("track") && (name == null || name.isBlank())) {
            throw new InvalidEventException(
                    index, "event", "event " + index + ": a track event needs a non-empty \"event\" name");
        }
        if (name != null && name.length() > 1024) {
            throw new InvalidEventException(
                    index, "event", "event " + index + ": the event name is over 1024 characters");
        }
        String id = text(raw, index, "id", "id", "messageId", "message_id");
        if (id != null && (id.isEmpty() || id.length() > MAX_ID_LENGTH)) {
            throw new InvalidEventException(
                    index, "id", "event " + index + ": id must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        JsonNode clientTime = first(raw, "timestamp", "originalTimestamp");
        if (id == null) id = contentId(raw, clientTime != null, receivedAt);
        Instant timestamp = Times.parse(clientTime, index, "timestamp");
        Instant sentAt = Times.parse(first(raw, "sent_at", "sentAt"), index, "sent_at");
        if (timestamp == null) {
            timestamp = receivedAt;
        } else if (sentAt != null) {
            timestamp = Times.checkRange(
                    receivedAt.minus(Duration.between(timestamp, sentAt)),
                    index,
                    "timestamp (after clock-skew correction with sent_at)");
        }
        ObjectNode properties = object(raw, index, "properties");
        ObjectNode traits = object(raw, index, "traits");
        ObjectNode context = object(raw, index, "context");
        boolean traitsType = type.equals("identify") || type.equals("group");
        ObjectNode extra = null;
        for (Map.Entry<String, JsonNode> f : raw.properties()) {
            if (ENVELOPE.contains(f.getKey())) continue;
            if (extra == null) extra = traitsType ? copy(traits) : copy(properties);
            if (!extra.has(f.getKey())) extra.set(f.getKey(), f.getValue());
        }
        if (extra != null && traitsType) traits = extra;
        if (extra != null && !traitsType) properties = extra;
        return new Event(
                id,
                type,
                name,
                text(raw, index, "user_id", "user_id", "userId"),
                text(raw, index, "anonymous_id", "anonymous_id", "anonymousId"),
                text(raw, index, "group_id", "group_id", "groupId"),
                text(raw, index, "previous_id", "previous_id", "previousId"),
                timestamp,
                sentAt,
                receivedAt,
                source,
                properties,
                traits,
                context);
    }

    /**
     * The id of an event that brought none: an event that carries its own time hashes to the same id wherever it comes
     * from (a re-sent or re-imported line); one without is told apart by its arrival time, so two identical clicks stay
     * two events.
     */
    public static String contentId(JsonNode raw, boolean timed, Instant receivedAt) {
        return Names.hash(timed ? raw.toString() : raw.toString() + '\u0000' + receivedAt)
                .substring(0, 32);
    }

    private static ObjectNode copy(ObjectNode n) {
        return n == null ? EventJson.MAPPER.createObjectNode() : n.deepCopy();
    }

    private static JsonNode first(ObjectNode raw, String... keys) {
        for (String k : keys) {
            JsonNode n = raw.get(k);
            if (n != null && !n.isNull()) return n;
        }
        return null;
    }

    /** A string field (numbers are accepted and kept as their text); null when absent. */
    private static String text(ObjectNode raw, int index, String field, String... keys) {
        JsonNode n = first(raw, keys);
        if (n == null) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isNumber()) return n.asText();
        throw new InvalidEventException(
                index, field, "event " + index + ": " + field + " must be a string, got " + describe(n));
    }

    private static ObjectNode object(ObjectNode raw, int index, String field) {
        JsonNode n = raw.get(field);
        if (n == null || n.isNull()) return null;
        if (n instanceof ObjectNode o) return o;
        throw new InvalidEventException(
                index, field, "event " + index + ": " + field + " must be a JSON object, got " + describe(n));
    }

    private static String describe(JsonNode n) {
        return n.getNodeType().name().toLowerCase() + " " + Times.abbreviate(n.toString());
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }
}
