package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.time.Instant;
import java.util.Map;

/**
 * Segment's Tracking API messages (track, identify, page, screen, group, alias). A message is nearly Catchment's
 * native event, so this prepares it and hands it to {@link NativeFormat#toEvent}: the batch's {@code context} and
 * {@code integrations} merge under each message's own (the message wins), {@code integrations} is kept under
 * {@code context.integrations}, the batch's {@code sentAt} applies to messages without one, and the time is
 * {@code receivedAt − (sentAt − timestamp)} ({@code originalTimestamp} when there is no timestamp; with both, the
 * original is kept as {@code context.originalTimestamp}). Needs {@code userId} or {@code anonymousId}.
 */
public final class SegmentFormat {
    private SegmentFormat() {}

    /**
     * @param type the type implied by the route ({@code /v1/track} → track), or null for batch/import where each
     *     message names its own
     * @param batch the enclosing batch object (for context, integrations and sentAt), or null
     * @param message changed in place (the batch's context is merged into it)
     */
    public static Event toEvent(
            ObjectNode message, int index, String type, ObjectNode batch, String source, Instant receivedAt) {
        ObjectNode m = message; // the caller's parsed message, changed in place
        m.remove("writeKey");
        if (type != null && !m.hasNonNull("type")) m.put("type", type);
        if (!m.hasNonNull("type")) {
            throw new InvalidEventException(
                    index,
                    "type",
                    "event " + index + ": a batch message needs a \"type\" "
                            + "(track, identify, page, screen, group or alias)");
        }
        if (batch != null) {
            merge(m, "context", VendorFields.object(batch, -1, "context"));
            merge(m, "integrations", VendorFields.object(batch, -1, "integrations"));
            if (!m.hasNonNull("sentAt") && batch.hasNonNull("sentAt")) m.set("sentAt", batch.get("sentAt"));
        }
        JsonNode integrations = m.remove("integrations");
        if (integrations != null && !(integrations.isObject() && integrations.isEmpty())) {
            ObjectNode context = m.hasNonNull("context") && m.get("context").isObject()
                    ? (ObjectNode) m.get("context")
                    : m.putObject("context");
            if (!context.has("integrations")) context.set("integrations", integrations);
        }
        if (m.hasNonNull("originalTimestamp") && m.hasNonNull("timestamp")) {
            // the event time is timestamp (skew-corrected with sentAt); the client's own clock reading is kept in
            // context
            ObjectNode context = m.hasNonNull("context") && m.get("context").isObject()
                    ? (ObjectNode) m.get("context")
                    : m.putObject("context");
            context.set("originalTimestamp", m.remove("originalTimestamp"));
        }
        String messageId = m.hasNonNull("messageId") ? m.get("messageId").asText() : null;
        if (messageId != null && messageId.length() > 100) {
            throw new InvalidEventException(
                    index, "messageId", "event " + index + ": messageId is over 100 characters");
        }
        Event e = NativeFormat.toEvent(m, index, source, receivedAt);
        if (e.userId() == null && e.anonymousId() == null) {
            throw new InvalidEventException(index, "userId", "event " + index + ": userId or anonymousId is required");
        }
        return e;
    }

    /** Deep merge: {@code from}'s keys go under {@code m.key} where the message has none. */
    private static void merge(ObjectNode m, String key, ObjectNode from) {
        if (from == null || from.isEmpty()) return;
        JsonNode own = m.get(key);
        if (own == null || own.isNull()) {
            m.set(key, from); // shared by the batch's messages, read-only from here on
        } else if (own instanceof ObjectNode o) {
            mergeInto(o, from);
        }
    }

    private static void mergeInto(ObjectNode target, ObjectNode from) {
        for (Map.Entry<String, JsonNode> e : from.properties()) {
            JsonNode mine = target.get(e.getKey());
            if (mine == null) {
                target.set(e.getKey(), e.getValue());
            } else if (mine instanceof ObjectNode mo && e.getValue() instanceof ObjectNode fo) {
                mergeInto(mo, fo);
            }
        }
    }
}
