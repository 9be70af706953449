package io.catchment.sink;

import io.catchment.schema.SchemaChange;
import java.util.List;

/**
 * Everything one store transaction applies: schema changes, rows per table, the batch's event ids for the
 * duplicate check ({@code ids}, may be null), events to set aside as dead letters, the consumer's next offset, and
 * the user-property operations to merge into {@code users}.
 */
public record WriteBatch(List<SchemaChange> changes, List<TableBatch> tables, TableBatch ids,
    List<DeadLetter> deadLetters, String consumer, long nextOffset, List<UserUpdate> users) {

  public WriteBatch(List<SchemaChange> changes, List<TableBatch> tables, TableBatch ids, List<DeadLetter> deadLetters,
      String consumer, long nextOffset) {
    this(changes, tables, ids, deadLetters, consumer, nextOffset, List.of());
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
