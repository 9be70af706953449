package io.catchment.sink;

import io.catchment.deadletter.DeadLetter;
import io.catchment.schema.SchemaChange;
import java.util.List;
import java.util.Map;

/**
 * Everything one store transaction applies: schema changes, rows per table, the batch's event ids for the
 * duplicate check ({@code ids}, may be null), events to set aside as dead letters, the consumer's next offset, and
 * the user-property operations to merge into {@code users}, and other consumers' offsets committed with it (an
 * import batch that spans several members checkpoints each).
 */
public record WriteBatch(
        List<SchemaChange> changes,
        List<TableBatch> tables,
        TableBatch ids,
        List<DeadLetter> deadLetters,
        String consumer,
        long nextOffset,
        List<UserUpdate> users,
        Map<String, Long> otherOffsets) {

    public WriteBatch(
            List<SchemaChange> changes,
            List<TableBatch> tables,
            TableBatch ids,
            List<DeadLetter> deadLetters,
            String consumer,
            long nextOffset) {
        this(changes, tables, ids, deadLetters, consumer, nextOffset, List.of(), Map.of());
    }

    public WriteBatch(
            List<SchemaChange> changes,
            List<TableBatch> tables,
            TableBatch ids,
            List<DeadLetter> deadLetters,
            String consumer,
            long nextOffset,
            List<UserUpdate> users) {
        this(changes, tables, ids, deadLetters, consumer, nextOffset, users, Map.of());
    }

    /** The same batch, also committing {@code offsets} (consumer → next offset) in its transaction. */
    public WriteBatch withOffsets(List<DeadLetter> dead, Map<String, Long> offsets) {
        return new WriteBatch(changes, tables, ids, dead, consumer, nextOffset, users, offsets);
    }

    /** Only moves the consumer's offset (and sets aside {@code deadLetters}). */
    public static WriteBatch offsetOnly(List<DeadLetter> deadLetters, String consumer, long nextOffset) {
        return new WriteBatch(List.of(), List.of(), null, deadLetters, consumer, nextOffset);
    }

    /** Deletes whatever this batch staged. */
    public void discard() {
        tables.forEach(TableBatch::discard);
        if (ids != null) ids.discard();
    }
}
