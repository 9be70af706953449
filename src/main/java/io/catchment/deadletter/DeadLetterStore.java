package io.catchment.deadletter;

import java.time.Instant;
import java.util.List;

/**
 * Where dead letters wait for inspection and replay (like an SQS dead-letter queue with redrive). An entry is keyed
 * by its event: the same event failing again raises its attempt count. Thread-safe.
 */
public interface DeadLetterStore {

    /** One waiting (or replayed) dead letter. */
    record Entry(
            String key,
            String eventId,
            String table,
            String reason,
            int attempts,
            Instant firstFailedAt,
            Instant lastFailedAt,
            Instant replayedAt,
            long logOffset,
            String event) {}

    /** Which entries: by key, by reason (substring), failed since, and whether replayed ones are included. */
    record Filter(List<String> keys, String reason, Instant since, boolean includeReplayed, Instant before) {
        public static final Filter PENDING = new Filter(List.of(), null, null, false);

        public Filter(List<String> keys, String reason, Instant since, boolean includeReplayed) {
            this(keys, reason, since, includeReplayed, null);
        }

        /** Every dead letter, replayed or not, whose last failure is before {@code before}: what retention purges. */
        public static Filter failedBefore(Instant before) {
            return new Filter(List.of(), null, null, true, before);
        }
    }

    List<Entry> deadLetters(Filter filter, int limit);

    /** Marks entries replayed (they stay listed with {@code includeReplayed}); returns how many. */
    int markReplayed(List<String> keys);

    /** Deletes entries; returns how many. */
    int purge(Filter filter);

    long pendingDeadLetters();
}
