package io.catchment.sink;

import io.catchment.deadletter.DeadLetter;
import io.catchment.schema.SchemaChange;
import java.util.List;

/**
 * Everything one store transaction applies: schema changes, rows per table, the batch's event ids for the
 * duplicate check ({@code ids}, may be null), events to set aside as dead letters, the log consumer's next offset
 * ({@code consumer} null for a batch that reads no log: an import's), the user-property operations to merge into
 * {@code users}, and the import checkpoints of the members the batch read (an import batch that spans several
 * members checkpoints each). {@code refusals}, when not null, lets the store set aside single events it refuses and
 * write the rest ({@link RowRefusals}); without it a refused row fails the batch.
 */
public record WriteBatch(
        List<SchemaChange> changes,
        List<TableBatch> tables,
        TableBatch ids,
        List<DeadLetter> deadLetters,
        String consumer,
        long nextOffset,
        List<UserUpdate> users,
        List<ImportCheckpoint> imports,
        RowRefusals refusals) {

    public WriteBatch(
            List<SchemaChange> changes,
            List<TableBatch> tables,
            TableBatch ids,
            List<DeadLetter> deadLetters,
            String consumer,
            long nextOffset) {
        this(changes, tables, ids, deadLetters, consumer, nextOffset, List.of());
    }

    public WriteBatch(
            List<SchemaChange> changes,
            List<TableBatch> tables,
            TableBatch ids,
            List<DeadLetter> deadLetters,
            String consumer,
            long nextOffset,
            List<UserUpdate> users) {
        this(changes, tables, ids, deadLetters, consumer, nextOffset, users, List.of(), null);
    }

    /** The same batch with {@code dead} as its dead letters. */
    public WriteBatch withDeadLetters(List<DeadLetter> dead) {
        return new WriteBatch(changes, tables, ids, dead, consumer, nextOffset, users, imports, refusals);
    }

    /** The same batch, also committing {@code checkpoints} in its transaction. */
    public WriteBatch withImports(List<ImportCheckpoint> checkpoints) {
        return new WriteBatch(changes, tables, ids, deadLetters, consumer, nextOffset, users, checkpoints, refusals);
    }

    /** The same batch, letting the store set aside the single events it refuses ({@link RowRefusals}). */
    public WriteBatch withRefusals(RowRefusals r) {
        return new WriteBatch(changes, tables, ids, deadLetters, consumer, nextOffset, users, imports, r);
    }

    /** Only moves the consumer's offset (and sets aside {@code deadLetters}). */
    public static WriteBatch offsetOnly(List<DeadLetter> deadLetters, String consumer, long nextOffset) {
        return new WriteBatch(List.of(), List.of(), null, deadLetters, consumer, nextOffset);
    }

    /** Only records import checkpoints (and sets aside {@code deadLetters}); no log consumer moves. */
    public static WriteBatch importsOnly(List<DeadLetter> deadLetters, List<ImportCheckpoint> checkpoints) {
        return new WriteBatch(List.of(), List.of(), null, deadLetters, null, 0).withImports(checkpoints);
    }

    /** Deletes whatever this batch staged. */
    public void discard() {
        tables.forEach(TableBatch::discard);
        if (ids != null) ids.discard();
    }
}
