package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Amplitude events, as the HTTP V2 and Batch APIs receive them and as the Export API writes them. {@code event_type}
 * is the event name ({@code $identify} → identify, {@code $groupidentify} → group); {@code user_id} → user_id,
 * {@code device_id} → anonymous_id; {@code insert_id} (or the export's {@code $insert_id}, then {@code uuid}) → id;
 * {@code time} in ms (or the export's {@code event_time}/{@code client_event_time}/{@code server_received_time},
 * {@code YYYY-MM-DD HH:MM:SS.ffffff} UTC) → timestamp; {@code event_properties} → properties;
 * {@code user_properties} operations → traits ({@link Identity}); every other field → context under its own name.
 */
public final class AmplitudeFormat {
    /** Ids Amplitude refuses (compared case-insensitively). */
    public static final Set<String> INVALID_IDS = Set.of(
            "anonymous",
            "nil",
            "none",
            "null",
            "n/a",
            "na",
            "undefined",
            "unknown",
            "",
            "00000000-0000-0000-0000-000000000000",
            "{}",
            "lmy47d",
            "0",
            "-1");

    public static final int DEFAULT_MIN_ID_LENGTH = 5;
    private static final Set<String> MAPPED = Set.of(
            "event_type",
            "user_id",
            "device_id",
            "insert_id",
            "$insert_id",
            "time",
            "event_properties",
            "user_properties",
            "api_key");
    private static final DateTimeFormatter EXPORT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]" + "[.SSSSS][.SSSS][.SSS][.SS][.S]", Locale.ROOT);

    private AmplitudeFormat() {}

    /** A problem Amplitude reports by field: missing ({@code events_with_missing_fields}) or invalid. */
    public record Problem(int index, String field, boolean missing, String message) {}

    /** Amplitude's request validation for one event; empty when the event is acceptable. */
    public static List<Problem> validate(JsonNode e, int index, int minIdLength) {
        List<Problem> out = new ArrayList<>();
        if (!(e instanceof ObjectNode)) {
            out.add(new Problem(index, "event", false, "event " + index + " is not a JSON object"));
            return out;
        }
        JsonNode type = e.get("event_type");
        if (type == null
                || type.isNull()
                || (type.isTextual() && type.textValue().isEmpty())) {
            out.add(new Problem(index, "event_type", true, "event " + index + ": event_type is required"));
        } else if (!type.isTextual()) {
            out.add(new Problem(index, "event_type", false, "event " + index + ": event_type must be a string"));
        }
        String user = idText(e.get("user_id"));
        String device = idText(e.get("device_id"));
        if (user == null && device == null) {
            out.add(new Problem(index, "user_id", true, "event " + index + ": user_id or device_id is required"));
        }
        for (String f : new String[] {"user_id", "device_id"}) {
            String v = idText(e.get(f));
            if (v == null) continue;
            if (INVALID_IDS.contains(v.toLowerCase(Locale.ROOT))) {
                out.add(new Problem(
                        index,
                        f,
                        false,
                        "event " + index + ": " + f + " \"" + v + "\" is on Amplitude's list " + "of invalid ids"));
            } else if (v.length() < minIdLength) {
                out.add(new Problem(
                        index,
                        f,
                        false,
                        "event " + index + ": " + f + " is shorter than min_id_length (" + minIdLength + ")"));
            }
        }
        JsonNode time = e.get("time");
        if (time != null && !time.isNull() && !(time.isIntegralNumber() && time.longValue() >= 0)) {
            out.add(new Problem(
                    index,
                    "time",
                    false,
                    "event " + index + ": time must be milliseconds since the epoch, " + "got "
                            + Times.abbreviate(time.toString())));
        }
        return out;
    }

    private static String idText(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return n.isTextual() ? n.textValue() : n.asText();
    }

    /** Maps one (validated) event to the canonical envelope. */
    public static Event toEvent(ObjectNode e, int index, String source, Instant receivedAt) {
        String type = VendorFields.text(e, index, "event_type");
        if (type == null)
            throw new InvalidEventException(index, "event_type", "event " + index + ": event_type is required");
        String userId = VendorFields.text(e, index, "user_id");
        String deviceId = VendorFields.text(e, index, "device_id");
        String id = VendorFields.text(e, index, "insert_id");
        if (id == null) id = VendorFields.text(e, index, "$insert_id");
        if (id == null) id = VendorFields.text(e, index, "uuid");
        Instant time = time(e, index);
        if (id == null) id = NativeFormat.contentId(e, time != null, receivedAt);
        ObjectNode properties = VendorFields.emptyToNull(VendorFields.object(e, index, "event_properties"));
        ObjectNode traits = Identity.fromOperations(VendorFields.object(e, index, "user_properties"));
        ObjectNode context = VendorFields.newObject();
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (MAPPED.contains(f.getKey()) || f.getValue().isNull()) continue;
            context.set(f.getKey(), f.getValue());
        }
        String canonical = "track";
        String name = type;
        String groupId = null;
        if (type.equals("$identify")) {
            canonical = "identify";
            name = null;
        } else if (type.equals("$groupidentify")) {
            canonical = "group";
            name = null;
            ObjectNode groups = VendorFields.object(e, index, "groups");
            if (groups != null && !groups.isEmpty())
                groupId = groups.properties().iterator().next().getValue().asText();
            ObjectNode groupTraits = Identity.fromOperations(VendorFields.object(e, index, "group_properties"));
            if (groupTraits != null) traits = groupTraits;
        }
        return new Event(
                id,
                canonical,
                name,
                userId,
                deviceId,
                groupId,
                null,
                time != null ? time : receivedAt,
                null,
                receivedAt,
                source,
                properties,
                traits,
                VendorFields.emptyToNull(context));
    }

    /** {@code time} (ms), else the export's event_time, client_event_time or server_received_time; null when none. */
    static Instant time(ObjectNode e, int index) {
        JsonNode t = VendorFields.get(e, "time");
        if (t != null) {
            if (!t.isIntegralNumber()) {
                throw new InvalidEventException(
                        index, "time", "event " + index + ": time must be milliseconds since the epoch");
            }
            return Times.checkRange(Instant.ofEpochMilli(t.longValue()), index, "time");
        }
        for (String f : new String[] {"event_time", "client_event_time", "server_received_time"}) {
            String v = VendorFields.text(e, index, f);
            if (v != null) return exportTime(v, index, f);
        }
        return null;
    }

    /** Parses the Export API's {@code YYYY-MM-DD HH:MM:SS.ffffff} (UTC); ISO-8601 is accepted too. */
    public static Instant exportTime(String v, int index, String field) {
        Instant fast = v.length() >= 19 && v.charAt(10) == ' ' ? io.catchment.schema.Flattener.parseTime(v) : null;
        if (fast != null) return Times.checkRange(fast, index, field);
        try {
            return Times.checkRange(LocalDateTime.parse(v, EXPORT_TIME).toInstant(ZoneOffset.UTC), index, field);
        } catch (DateTimeParseException ex) {
            return Times.parse(
                    io.catchment.event.EventJson.MAPPER.getNodeFactory().textNode(v), index, field);
        }
    }
}
