package io.catchment.sink;

import io.catchment.schema.ColumnType;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids part of a loader batch ({@link WriteBatch#ids}), kept on the heap rather than staged to a file: the store's
 * duplicate check hashes every id against its per-day sets ({@link SeenIds}) and sends only the few that may be
 * stored to the store. Cells are {@code id}, {@code timestamp} (ISO-8601 UTC) and {@code tbl} (the event's own
 * table). Not thread-safe while it is filled; read-only after.
 */
public final class BatchIds implements TableBatch.Encoder {
    private final List<String> ids = new ArrayList<>();
    private final List<String> times = new ArrayList<>();
    private final List<String> tables = new ArrayList<>();

    /** The ids of every part of {@code batch} (one, as the loader builds it) as one list. */
    public static BatchIds of(TableBatch batch) {
        if (batch.parts().size() == 1) return (BatchIds) batch.parts().get(0).staged();
        BatchIds all = new BatchIds();
        for (TableBatch.Part p : batch.parts()) {
            BatchIds b = (BatchIds) p.staged();
            all.ids.addAll(b.ids);
            all.times.addAll(b.times);
            all.tables.addAll(b.tables);
        }
        return all;
    }

    @Override
    public void row(Object[] cells, ColumnType[] types, int columns) {
        ids.add((String) cells[0]);
        times.add(cells[1].toString());
        tables.add((String) cells[2]);
    }

    public int size() {
        return ids.size();
    }

    public String id(int i) {
        return ids.get(i);
    }

    /** The event's timestamp as it was staged: ISO-8601, UTC. */
    public String time(int i) {
        return times.get(i);
    }

    public String table(int i) {
        return tables.get(i);
    }

    /** The UTC day of the event's timestamp, in days since 1970-01-01. */
    public int day(int i) {
        String t = times.get(i);
        return (int)
                LocalDate.of(digits(t, 0, 4), digits(t, 5, 7), digits(t, 8, 10)).toEpochDay();
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) v = v * 10 + (s.charAt(i) - '0');
        return v;
    }

    @Override
    public void close() {}

    @Override
    public void discard() {}
}
