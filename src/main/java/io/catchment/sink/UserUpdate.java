package io.catchment.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event's user-property operations, for the {@code users} table: the user (user_id, else anonymous_id), the
 * event time (ISO-8601 UTC), the canonical traits ({@link io.catchment.format.Identity}) and the id of the event they
 * came with (null when not known), so that a store that sets an event aside can leave its traits out too.
 */
public record UserUpdate(String user, String timestamp, ObjectNode traits, String eventId) {
    public UserUpdate(String user, String timestamp, ObjectNode traits) {
        this(user, timestamp, traits, null);
    }
}
