package io.catchment.deadletter;

/**
 * An event the store could not take even after the schema rules, kept with why: {@code event} is its canonical JSON,
 * exactly as it was in the log, so a replay goes through the normal path.
 */
public record DeadLetter(String eventId, String table, String reason, String event, long logOffset) {}
