package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mixpanel events ({@code /track}, {@code /import}, raw export lines) and profile updates ({@code /engage}).
 *
 * <p>Event: {@code event} → event; {@code properties.$insert_id} → id; {@code properties.time} (seconds, or
 * milliseconds above 10^10) → timestamp; {@code $user_id}, else {@code distinct_id} → user_id (a
 * {@code $device:…} distinct id → anonymous_id); {@code $device_id} → anonymous_id; {@code token} is the write key
 * and is not stored; every other property stays a property. Profile update: {@code $distinct_id} → user_id,
 * {@code $time} → timestamp, {@code $set}/{@code $set_once}/{@code $unset} (and any other operation, kept as is)
 * → traits of an identify; other {@code $}-keys ({@code $ip}…) → context.
 */
public final class MixpanelFormat {
    private static final Set<String> ENGAGE_OPS =
            Set.of("$set", "$set_once", "$unset", "$add", "$append", "$union", "$remove", "$delete");

    private MixpanelFormat() {}

    /** The token an event or profile update carries ({@code properties.token} or {@code $token}), or null. */
    public static String token(JsonNode e) {
        JsonNode t = e.get("$token");
        if (t == null) t = e.path("properties").get("token");
        return t == null || !t.isTextual() ? null : t.textValue();
    }

    /** Missing or invalid fields as {@code /import?strict=1} reports them; empty when the event is acceptable. */
    public static List<String[]> validateImport(JsonNode e) {
        List<String[]> out = new ArrayList<>();
        if (!(e instanceof ObjectNode)) {
            out.add(new String[] {"event", "the record is not a JSON object"});
            return out;
        }
        if (!e.path("event").isTextual() || e.path("event").textValue().isEmpty()) {
            out.add(new String[] {"event", "'event' must be a non-empty string"});
        }
        JsonNode p = e.get("properties");
        if (!(p instanceof ObjectNode)) {
            out.add(new String[] {"properties", "'properties' must be an object"});
            return out;
        }
        if (!p.path("time").isNumber()) out.add(new String[] {"properties.time", "'properties.time' must be a number"});
        if (!p.hasNonNull("distinct_id")) {
            out.add(new String[] {"properties.distinct_id", "'properties.distinct_id' is required"});
        }
        if (!p.path("$insert_id").isTextual()
                || p.path("$insert_id").textValue().isEmpty()) {
            out.add(new String[] {"properties.$insert_id", "'properties.$insert_id' must be a non-empty string"});
        }
        return out;
    }

    public static Event toEvent(ObjectNode e, int index, String source, Instant receivedAt) {
        String name = VendorFields.text(e, index, "event");
        if (name == null) throw new InvalidEventException(index, "event", "event " + index + ": \"event\" is required");
        ObjectNode props = VendorFields.object(e, index, "properties");
        props = props == null ? VendorFields.newObject() : props.deepCopy();
        props.remove("token");
        String id = VendorFields.text(props, index, "$insert_id");
        Instant time = VendorFields.epochSecondsOrMillis(VendorFields.get(props, "time"), index, "properties.time");
        String distinct = VendorFields.text(props, index, "distinct_id");
        String userId = VendorFields.text(props, index, "$user_id");
        String deviceId = VendorFields.text(props, index, "$device_id");
        if (distinct != null && distinct.startsWith("$device:")) {
            if (deviceId == null) deviceId = distinct.substring("$device:".length());
        } else if (userId == null) {
            userId = distinct;
        }
        if (userId == null && deviceId == null && distinct == null) {
            throw new InvalidEventException(
                    index, "properties.distinct_id", "event " + index + ": properties.distinct_id is required");
        }
        for (String mapped : new String[] {"$insert_id", "time", "$user_id", "$device_id"}) props.remove(mapped);
        if (userId != null && userId.equals(distinct)
                || deviceId != null && distinct != null && distinct.equals("$device:" + deviceId)) {
            props.remove("distinct_id");
        }
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (!f.getKey().equals("event") && !f.getKey().equals("properties") && !props.has(f.getKey())) {
                props.set(f.getKey(), f.getValue());
            }
        }
        if (id == null) id = NativeFormat.contentId(e, time != null, receivedAt);
        return new Event(
                id,
                "track",
                name,
                userId,
                deviceId,
                null,
                null,
                time != null ? time : receivedAt,
                null,
                receivedAt,
                source,
                VendorFields.emptyToNull(props),
                null,
                null);
    }

    /** A profile update from {@code /engage}, as an identify. */
    public static Event engage(ObjectNode e, int index, String source, Instant receivedAt) {
        String user = VendorFields.text(e, index, "$distinct_id");
        if (user == null)
            throw new InvalidEventException(index, "$distinct_id", "update " + index + ": $distinct_id is required");
        Instant time = VendorFields.epochSecondsOrMillis(VendorFields.get(e, "$time"), index, "$time");
        ObjectNode traits = VendorFields.newObject();
        ObjectNode context = VendorFields.newObject();
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            String k = f.getKey();
            if (k.equals("$token") || k.equals("$distinct_id") || k.equals("$time")) continue;
            if (k.equals("$set")) {
                Identity.set(traits, f.getValue());
            } else if (k.equals("$set_once")) {
                Identity.setOnce(traits, f.getValue());
            } else if (k.equals("$unset")) {
                Identity.unset(traits, f.getValue());
            } else if (ENGAGE_OPS.contains(k)) {
                traits.set(k, f.getValue());
            } else {
                context.set(k.startsWith("$") ? k.substring(1) : k, f.getValue());
            }
        }
        String id = NativeFormat.contentId(e, time != null, receivedAt);
        return new Event(
                id,
                "identify",
                null,
                user,
                null,
                null,
                null,
                time != null ? time : receivedAt,
                null,
                receivedAt,
                source,
                null,
                VendorFields.emptyToNull(traits),
                VendorFields.emptyToNull(context));
    }
}
