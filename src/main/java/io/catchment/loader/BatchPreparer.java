package io.catchment.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import io.catchment.event.JsonRun;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.Router;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.BatchIds;
import io.catchment.sink.Sink;
import io.catchment.sink.TableBatch;
import io.catchment.sink.UserUpdate;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns canonical events into a {@link WriteBatch}: routes and flattens each event, resolves its columns against the
 * catalog (extending it), stages each table's rows as they come, and lists the batch's event ids for the store's
 * duplicate check. An event whose id and UTC day were already seen in the batch is left out; an event over
 * {@code maxFields} flattened fields becomes a dead letter. Owned by one thread (it extends the catalog).
 */
final class BatchPreparer {
    private static final Map<String, ColumnType> IDS_SCHEMA =
            Map.of("id", ColumnType.VARCHAR, "timestamp", ColumnType.TIMESTAMP, "tbl", ColumnType.VARCHAR);

    private final Router router;
    private final Sink sink;
    private final int maxFields;
    private final int maxColumns;
    private final TakeApart describe;

    /** A batch ready to write, with what the loader needs to account for it or take it apart. */
    record Prepared(WriteBatch batch, List<Line> lines, int events, int repeated, long startNanos) {}

    BatchPreparer(Sink sink, int maxFields, int maxColumns, Router router) {
        this(sink, maxFields, maxColumns, router, new TakeApart("log offset"));
    }

    /** {@code describe} makes the dead letters of the events the store refuses in a batch ({@link StoreRefusals}). */
    BatchPreparer(Sink sink, int maxFields, int maxColumns, Router router, TakeApart describe) {
        this.describe = describe;
        this.router = router;
        this.sink = sink;
        this.maxFields = maxFields;
        this.maxColumns = maxColumns;
    }

    /** {@code consumer} and {@code nextOffset} go into the batch as they are (a null consumer moves no offset). */
    Prepared prepare(List<Line> lines, String consumer, long nextOffset) throws IOException {
        long start = System.nanoTime();
        Map<String, TableSchema> catalog = sink.catalog();
        Map<String, TableBatch> tables = new LinkedHashMap<>();
        List<SchemaChange> changes = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        TableBatch ids = new TableBatch("_ids", t -> new BatchIds()); // on the heap: the store hashes them
        int idColumn = ids.column("id");
        int tsColumn = ids.column("timestamp");
        int tableColumn = ids.column("tbl"); // the event's own table (besides events), to check each table for its own
        Map<String, String> seen = new HashMap<>(lines.size() * 2);
        List<Router.Row> rows = new ArrayList<>(2);
        int events = 0;
        int repeated = 0;
        List<UserUpdate> users = new ArrayList<>();
        try (Reader reader = new Reader(lines)) {
            for (int i = 0; i < lines.size(); i++) {
                Line line = lines.get(i);
                rows.clear();
                reader.route(i, rows);
                Router.Row first = rows.get(0);
                Router.Row last = rows.get(rows.size() - 1);
                int fields = rows.size() == 1
                        ? first.fields().size()
                        : first.fields().size() + last.fields().size();
                if (fields > maxFields) {
                    dead.add(new DeadLetter(
                            first.eventId(),
                            last.table(),
                            "event has " + fields + " fields, over limits.max_fields_per_event (" + maxFields + ")",
                            line.text(),
                            line.offset()));
                } else if (seenBefore(seen, first.eventId(), first.timestamp())) {
                    repeated++;
                } else {
                    for (Router.Row row : rows) add(row, catalog, tables, changes);
                    for (Router.Row row : router.links()) add(row, catalog, tables, changes);
                    if (last.traits() != null && last.user() != null) userUpdate(last, users);
                    ids.set(idColumn, first.eventId());
                    ids.set(tsColumn, new Field.TimeValue(first.timestamp(), null));
                    ids.set(tableColumn, last.table());
                    ids.endRow(IDS_SCHEMA);
                    events++;
                }
            }
            for (TableBatch b : tables.values()) b.finish(catalog.get(b.table()).columns());
            ids.finish(IDS_SCHEMA);
        } catch (IOException | RuntimeException e) {
            tables.values().forEach(TableBatch::discard);
            ids.discard();
            throw e;
        }
        WriteBatch batch = new WriteBatch(changes, List.copyOf(tables.values()), ids, dead, consumer, nextOffset, users)
                .withRefusals(new StoreRefusals(lines, describe));
        return new Prepared(batch, lines, events, repeated, start);
    }

    private void add(
            Router.Row row,
            Map<String, TableSchema> catalog,
            Map<String, TableBatch> tables,
            List<SchemaChange> changes)
            throws IOException {
        TableSchema schema = catalog.get(row.table());
        if (schema == null) {
            schema = TableSchema.create(row.table(), row.eventId(), changes, maxColumns);
            catalog.put(row.table(), schema);
        }
        TableBatch batch = tables.computeIfAbsent(row.table(), t -> new TableBatch(t, sink::stage));
        ObjectNode extra = null;
        for (Field f : row.fields()) {
            String column = schema.resolve(f, row.eventId(), changes);
            if (column.equals(TableSchema.EXTRA)) {
                if (extra == null) extra = EventJson.MAPPER.createObjectNode();
                extra.set(f.source(), json(f.value()));
                continue;
            }
            int index = batch.column(column);
            if (batch.isSet(index)) {
                // an earlier key of this row already took the column: this key gets its own, stable name
                Field renamed = new Field(f.collisionName(), f.type(), f.value(), f.source());
                index = batch.column(schema.resolve(renamed, row.eventId(), changes));
            }
            batch.set(index, f.value());
        }
        if (extra != null) batch.set(batch.column(TableSchema.EXTRA), new Field.JsonText(extra.toString()));
        batch.endRow(schema.columns());
    }

    /** Routes lines with one parser per run of adjacent lines of one buffer (a log record, an import batch). */
    private final class Reader implements AutoCloseable {
        private final List<Line> lines;
        private final JsonRun run = new JsonRun();
        private int runEnd; // lines before this index belong to the open run

        Reader(List<Line> lines) {
            this.lines = lines;
        }

        void route(int i, List<Router.Row> rows) throws IOException {
            Line line = lines.get(i);
            if (!run.isOpen() || i >= runEnd) open(i);
            Boolean routed = run.next(line.off() + line.len(), (p, start) -> {
                router.route(p, line.buf(), start, rows);
                return Boolean.TRUE;
            });
            if (routed != null) return;
            rows.clear();
            router.route(line.buf(), line.off(), line.len(), rows);
        }

        /** Opens a run at line {@code i} over the lines right after it in the same buffer, one newline apart. */
        private void open(int i) throws IOException {
            Line first = lines.get(i);
            int end = i + 1;
            while (end < lines.size()) {
                Line prev = lines.get(end - 1);
                Line next = lines.get(end);
                if (next.buf() != first.buf() || next.off() != prev.off() + prev.len() + 1) break;
                end++;
            }
            Line last = lines.get(end - 1);
            runEnd = end;
            run.open(first.buf(), first.off(), last.off() + last.len());
        }

        @Override
        public void close() throws IOException {
            run.close();
        }
    }

    /**
     * Whether the batch already had this id on this UTC day. {@code seen} maps each id to the first timestamp it came
     * with; the same id on another day (rare) is kept under {@code id + NUL + day}.
     */
    static boolean seenBefore(Map<String, String> seen, String id, String timestamp) {
        String first = seen.putIfAbsent(id, timestamp);
        if (first == null || first.regionMatches(0, timestamp, 0, 10)) return first != null;
        return seen.putIfAbsent(id + '\u0000' + timestamp.substring(0, 10), timestamp) != null;
    }

    /** The event's traits as an update of its user's row in {@code users}. */
    private static void userUpdate(Router.Row row, List<UserUpdate> users) throws IOException {
        Router.Span t = row.traits();
        if (EventJson.MAPPER.readTree(t.buf(), t.off(), t.len()) instanceof ObjectNode traits && !traits.isEmpty()) {
            users.add(new UserUpdate(row.user(), row.timestamp(), traits, row.eventId()));
        }
    }

    private static JsonNode json(Object v) throws IOException {
        if (v instanceof Field.JsonText j) return EventJson.MAPPER.readTree(j.json());
        if (v instanceof Boolean b) return BooleanNode.valueOf(b);
        if (v instanceof Long l) return LongNode.valueOf(l);
        if (v instanceof Double d) return DoubleNode.valueOf(d);
        return TextNode.valueOf(v.toString());
    }

    /** Appends the event lines of a log record to {@code out}. */
    static void addLines(io.catchment.log.EventLog.LogRecord r, List<Line> out) {
        byte[] p = r.payload();
        long offset = r.offset();
        Newlines.forEach(p, (start, len) -> out.add(new Line(p, start, len, offset)));
    }
}
