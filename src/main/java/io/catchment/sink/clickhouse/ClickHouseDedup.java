package io.catchment.sink.clickhouse;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.Router;
import io.catchment.sink.BatchIds;
import io.catchment.sink.Dedup;
import io.catchment.sink.SeenIds;
import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact duplicate check of a ClickHouse batch, before anything is inserted: which of the batch's events each
 * table holds already (same id, UTC days less than {@link Dedup#windowDays} apart), and the inserts that leave those
 * rows out. The per-day id sets ({@link SeenIds}) pick the few events that may be stored; only those go to this
 * loader's own ids table and are looked up, by id, in each table. A set is built from every event table (a crash
 * between a batch's inserts can leave an event in its own table and not in {@code events}) and takes a batch's ids
 * before its inserts start, so that it holds whatever a failed write left. ReplacingMergeTree stays the second line.
 * Called under the sink's lock.
 *
 * <p>The sets are this process's: ids another loader writes after a set was built are not in it. An event that
 * reaches a second loader after the first stored it (a Kafka partition moving, an SQS message seen again) is then
 * stored twice until a merge collapses it; the query before the sets had the same race only for writes in flight at
 * once. {@code dedup.memory: 0} looks every event up in the store, at a cost that grows with the days' rows.
 */
final class ClickHouseDedup implements SeenIds.Store {
    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final String idsTable;
    private final Dedup dedup;
    private final SeenIds seen;
    private final Path staging;
    private final java.util.function.Supplier<Set<String>> eventTables;
    private long files;

    ClickHouseDedup(
            ClickHouse ch,
            ClickHouseDdl ddl,
            String idsTable,
            Dedup dedup,
            Path staging,
            java.util.function.Supplier<Set<String>> eventTables) {
        this.ch = ch;
        this.ddl = ddl;
        this.idsTable = idsTable;
        this.dedup = dedup;
        this.seen = new SeenIds(dedup);
        this.staging = staging;
        this.eventTables = eventTables;
    }

    /** Drops this process's ids table, when the store closes; a failure leaves a small Memory table behind. */
    void dropIdsTable() {
        try {
            ch.execute("DROP TABLE IF EXISTS " + ddl.q(idsTable));
        } catch (ClickHouse.ClickHouseFailure e) {
            org.slf4j.LoggerFactory.getLogger(ClickHouseDedup.class).debug("could not drop {}", idsTable, e);
        }
    }

    /** Builds the sets of the newest days stored (not after tomorrow: a clock far ahead is not the present). */
    void preload() throws IOException {
        String day = ch.one("SELECT toUInt16(toDate(max(`timestamp`))) FROM " + ddl.q(Router.EVENTS)
                + " WHERE `timestamp` < now() + 172800");
        if (day == null || day.equals("0")) return;
        run(() -> {
            seen.preload(Integer.parseInt(day), this);
            return null;
        });
    }

    /** Forgets the sets: the store was written around the loader (an upgrade). */
    void clear() {
        seen.clear();
    }

    @Override
    public long count(int day) {
        return Long.parseLong(ch.one("SELECT count() FROM " + ddl.q(Router.EVENTS) + " WHERE " + range(day, day)));
    }

    @Override
    public void hashes(int day, java.util.function.LongConsumer out) {
        StringBuilder ids = new StringBuilder();
        for (String t : eventTables.get()) {
            ids.append(ids.length() > 0 ? " UNION ALL " : "")
                    .append("SELECT id FROM ")
                    .append(ddl.q(t))
                    .append(" WHERE ")
                    .append(range(day, day));
        }
        if (ids.length() == 0) return;
        ch.query(
                "SELECT " + dedup.hashSql().apply("id", true) + " FROM (" + ids + ") FORMAT TabSeparated",
                Map.of(),
                r -> {
                    out.accept(Long.parseLong(r[0]));
                    return true;
                });
    }

    /**
     * The batch's events already stored, per table, as the id as staged ({@link TsvStage}'s escapes) + {@code '\t'}
     * + the event's UTC day ({@code YYYY-MM-DD}); also the events repeated within the batch on another day of the
     * window, for every table.
     */
    Map<String, Set<String>> storedIds(WriteBatch w, Set<String> created) throws IOException {
        SeenIds.Check c = run(() -> seen.check(BatchIds.of(w.ids()), this));
        seen.add(c); // before the inserts: a failed write may leave some of them stored
        Map<String, Set<String>> out = new HashMap<>();
        for (int i = c.repeats().nextSetBit(0); i >= 0; i = c.repeats().nextSetBit(i + 1)) {
            for (TableBatch b : w.tables())
                out.computeIfAbsent(b.table(), k -> new HashSet<>()).add(key(c, i));
        }
        List<String> tables = new ArrayList<>();
        for (TableBatch b : w.tables()) {
            if (!created.contains(b.table()) && b.rows() > 0) tables.add(b.table());
        }
        if (c.candidates().isEmpty() || tables.isEmpty()) return out;
        Map<String, List<Integer>> byId = new HashMap<>();
        int from = Integer.MAX_VALUE;
        int to = Integer.MIN_VALUE;
        for (int i = c.candidates().nextSetBit(0); i >= 0; i = c.candidates().nextSetBit(i + 1)) {
            byId.computeIfAbsent(c.ids().id(i), k -> new ArrayList<>(1)).add(i);
            from = Math.min(from, c.days()[i]);
            to = Math.max(to, c.days()[i]);
        }
        sendCandidates(c);
        int window = dedup.windowDays();
        String range = range(from - window + 1, to + window - 1);
        // each table is asked only for the events it holds: every event has a row in events, and one in its own table
        StringBuilder sql = new StringBuilder();
        for (String t : tables) {
            if (sql.length() > 0) sql.append(" UNION ALL ");
            sql.append("SELECT ")
                    .append(ClickHouse.literal(t))
                    .append(", hex(id), toUInt16(toDate(`timestamp`)) FROM ")
                    .append(ddl.q(t))
                    .append(" WHERE ")
                    .append(range)
                    .append(" AND id IN (SELECT id FROM ")
                    .append(ddl.q(idsTable))
                    .append(t.equals(Router.EVENTS) ? ")" : " WHERE tbl = " + ClickHouse.literal(t) + ")");
        }
        ch.query(sql + " FORMAT TabSeparated", Map.of(), r -> {
            int storedDay = Integer.parseInt(r[2]);
            for (int i : byId.getOrDefault(unhex(r[1]), List.of())) {
                boolean own = r[0].equals(Router.EVENTS) || r[0].equals(c.ids().table(i));
                if (own && Math.abs(c.days()[i] - storedDay) < window) {
                    out.computeIfAbsent(r[0], k -> new HashSet<>()).add(key(c, i));
                }
            }
            return true;
        });
        return out;
    }

    /** The events that may be stored, into this loader's ids table. */
    private void sendCandidates(SeenIds.Check c) throws IOException {
        ch.execute("TRUNCATE TABLE " + ddl.q(idsTable));
        TsvStage stage = new TsvStage(staging.resolve("candidates-" + ++files + ".tsv"));
        ColumnType[] types = {ColumnType.VARCHAR, ColumnType.TIMESTAMP, ColumnType.VARCHAR};
        try {
            for (int i = c.candidates().nextSetBit(0);
                    i >= 0;
                    i = c.candidates().nextSetBit(i + 1)) {
                Object[] cells = {
                    c.ids().id(i),
                    new Field.TimeValue(c.ids().time(i), null),
                    c.ids().table(i)
                };
                stage.row(cells, types, 3);
            }
            stage.close();
            ch.insert(
                    ddl.q(idsTable),
                    List.of("id", "timestamp", "tbl"),
                    out -> TsvStage.padded(stage.file(), 3, null, out));
        } finally {
            stage.discard();
        }
    }

    private static String key(SeenIds.Check c, int i) {
        return TsvStage.escaped(c.ids().id(i)) + '\t' + c.ids().time(i).substring(0, 10);
    }

    private static String unhex(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String range(int fromDay, int toDay) {
        return "`timestamp` >= toDateTime(" + ClickHouse.literal(LocalDate.ofEpochDay(fromDay) + " 00:00:00")
                + ", 'UTC') AND `timestamp` < toDateTime("
                + ClickHouse.literal(LocalDate.ofEpochDay(toDay + 1L) + " 00:00:00") + ", 'UTC')";
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T run(Step<T> step) throws IOException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("duplicate check: " + e.getMessage(), e);
        }
    }

    /** Sends one staged part, padded to its columns, leaving out rows already stored; returns the rows sent. */
    long insert(String table, TableBatch.Part part, Set<String> skip) {
        Path file = ((TsvStage) part.staged()).file();
        int columns = part.columns().size();
        TsvStage.LineFilter filter = null;
        if (!skip.isEmpty()) {
            int idAt = part.columns().indexOf("id");
            int tsAt = part.columns().indexOf("timestamp");
            filter = (line, from, to) ->
                    !skip.contains(cell(line, from, to, idAt) + '\t' + day(cell(line, from, to, tsAt)));
        }
        long[] sent = new long[1];
        TsvStage.LineFilter f = filter;
        ch.insert(ddl.q(table), part.columns(), out -> sent[0] = TsvStage.padded(file, columns, f, out));
        return sent[0];
    }

    private static String day(String iso) {
        return iso.length() >= 10 ? iso.substring(0, 10) : iso;
    }

    /** The raw (still escaped) text of cell {@code index} of the staged line {@code line[from, to)}. */
    private static String cell(byte[] line, int from, int to, int index) {
        int start = from;
        for (int c = 0; c < index; c++) {
            while (start < to && line[start] != '\t') start++;
            start++;
        }
        int end = start;
        while (end < to && line[end] != '\t') end++;
        return start >= to ? "" : new String(line, start, end - start, StandardCharsets.UTF_8);
    }
}
