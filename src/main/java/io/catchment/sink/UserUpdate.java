package io.catchment.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One event's user-property operations, for the {@code users} table: the user (user_id, else anonymous_id), the
 * event time (ISO-8601 UTC) and the canonical traits ({@link io.catchment.format.Identity}).
 */
public record UserUpdate(String user, String timestamp, ObjectNode traits) {}
