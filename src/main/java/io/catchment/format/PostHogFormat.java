package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * PostHog events. {@code event} → event ({@code $identify} → identify, {@code $groupidentify} → group,
 * {@code $create_alias} → alias); {@code uuid} → id; {@code distinct_id} (top level or in properties) → user_id;
 * {@code timestamp} (ISO-8601, skew-corrected with the batch's {@code sent_at}; or {@code offset} ms before
 * arrival) → timestamp; {@code $set}/{@code $set_once}/{@code $unset} (top level or in properties) → traits;
 * {@code properties} → properties without the token; other top-level keys ({@code $lib}, {@code type}…) →
 * properties.
 */
public final class PostHogFormat {
    private static final Set<String> TOP = Set.of(
            "event",
            "uuid",
            "distinct_id",
            "$distinct_id",
            "timestamp",
            "offset",
            "properties",
            "$set",
            "$set_once",
            "$unset",
            "api_key",
            "token",
            "sent_at");

    private PostHogFormat() {}

    /** The project key of an event: {@code api_key}, {@code token} or {@code properties.token}; null when none. */
    public static String token(JsonNode e) {
        for (String k : new String[] {"api_key", "token"}) {
            if (e.path(k).isTextual()) return e.get(k).textValue();
        }
        JsonNode t = e.path("properties").get("token");
        return t != null && t.isTextual() ? t.textValue() : null;
    }

    public static Event toEvent(ObjectNode e, int index, String source, Instant receivedAt, Instant sentAt) {
        String name = VendorFields.text(e, index, "event");
        if (name == null) throw new InvalidEventException(index, "event", "event " + index + ": \"event\" is required");
        ObjectNode props = VendorFields.object(e, index, "properties");
        props = props == null ? VendorFields.newObject() : props.deepCopy();
        String distinct = VendorFields.text(e, index, "distinct_id");
        if (distinct == null) distinct = VendorFields.text(e, index, "$distinct_id");
        if (distinct == null) distinct = VendorFields.text(props, index, "distinct_id");
        if (distinct == null) {
            throw new InvalidEventException(index, "distinct_id", "event " + index + ": distinct_id is required");
        }
        props.remove("distinct_id");
        props.remove("token");
        ObjectNode traits = VendorFields.newObject();
        for (JsonNode holder : new JsonNode[] {props, e}) {
            Identity.set(traits, holder.get("$set"));
            Identity.setOnce(traits, holder.get("$set_once"));
            Identity.unset(traits, holder.get("$unset"));
        }
        props.remove("$set");
        props.remove("$set_once");
        props.remove("$unset");
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (!TOP.contains(f.getKey()) && !props.has(f.getKey())) props.set(f.getKey(), f.getValue());
        }
        Instant time;
        JsonNode ts = VendorFields.get(e, "timestamp");
        if (ts != null) {
            time = VendorFields.corrected(Times.parse(ts, index, "timestamp"), sentAt, receivedAt, index);
        } else if (e.path("offset").isNumber()) {
            time = receivedAt.minusMillis(e.get("offset").longValue());
        } else {
            time = receivedAt;
        }
        String id = VendorFields.text(e, index, "uuid");
        if (id == null) id = NativeFormat.contentId(e, ts != null, receivedAt);
        String type = "track";
        String groupId = null;
        String previousId = null;
        switch (name) {
            case "$identify" -> {
                type = "identify";
                name = null;
            }
            case "$groupidentify" -> {
                type = "group";
                name = null;
                groupId = VendorFields.text(props, index, "$group_key");
                Identity.set(traits, props.remove("$group_set"));
            }
            case "$create_alias" -> {
                type = "alias";
                name = null;
                previousId = VendorFields.text(props, index, "alias");
            }
            default -> {}
        }
        return new Event(
                id,
                type,
                name,
                distinct,
                null,
                groupId,
                previousId,
                time,
                sentAt,
                receivedAt,
                source,
                VendorFields.emptyToNull(props),
                VendorFields.emptyToNull(traits),
                null);
    }
}
