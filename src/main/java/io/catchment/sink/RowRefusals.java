package io.catchment.sink;

import io.catchment.deadletter.DeadLetter;

/**
 * What a batch's writer knows of its events, for a store that can refuse single rows and write the rest: turns the
 * event the store refused into its {@link DeadLetter}, which the store then records in the same transaction as the
 * batch's rows and offset. A store that finds the refused rows in the one pass that loads the batch (DuckDB's CSV
 * reader with {@code store_rejects}) so costs one bad event its dead letter, not a batch taken apart. Called on the
 * thread that writes the batch.
 */
@FunctionalInterface
public interface RowRefusals {
    /**
     * The dead letter of event {@code eventId}, refused by the store in {@code table} for {@code reason} (the store's
     * own message); null when the batch holds no such event (the store then refuses the whole batch as before).
     */
    DeadLetter deadLetter(String eventId, String table, String reason);
}
