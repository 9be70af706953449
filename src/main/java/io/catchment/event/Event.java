package io.catchment.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;

/**
 * The canonical envelope every accepted event is normalised to before it is logged. Immutable apart from the three
 * object nodes, which callers must treat as read-only once the event is built.
 *
 * @param id dedup key: the client's id, or a deterministic hash of the event's content
 * @param type one of {@link #TYPES}
 * @param event the event name for track, the page/screen name for page/screen, else null
 * @param timestamp event time (UTC), clock-skew corrected when the client sent {@code sent_at}
 * @param receivedAt server clock when the collector accepted the request
 * @param source the source name of the write key (or import job) that delivered it
 */
public record Event(
        String id,
        String type,
        String event,
        String userId,
        String anonymousId,
        String groupId,
        String previousId,
        Instant timestamp,
        Instant sentAt,
        Instant receivedAt,
        String source,
        ObjectNode properties,
        ObjectNode traits,
        ObjectNode context) {

    public static final Set<String> TYPES = Set.of("track", "identify", "page", "screen", "group", "alias");
}
