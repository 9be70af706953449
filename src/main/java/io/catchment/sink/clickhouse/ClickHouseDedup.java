package io.catchment.sink.clickhouse;

import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact duplicate check of a ClickHouse batch, before anything is inserted: which of the batch's events each
 * table holds already (same id, same UTC day), and the inserts that leave those rows out. ReplacingMergeTree stays
 * the second line. Uses this loader's own ids table; called under the sink's lock.
 */
final class ClickHouseDedup {
    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final String idsTable;

    ClickHouseDedup(ClickHouse ch, ClickHouseDdl ddl, String idsTable) {
        this.ch = ch;
        this.ddl = ddl;
        this.idsTable = idsTable;
    }

    /** Drops this process's ids table, when the store closes; a failure leaves a small Memory table behind. */
    void dropIdsTable() {
        try {
            ch.execute("DROP TABLE IF EXISTS " + ddl.q(idsTable));
        } catch (ClickHouse.ClickHouseFailure e) {
            org.slf4j.LoggerFactory.getLogger(ClickHouseDedup.class).debug("could not drop {}", idsTable, e);
        }
    }

    /**
     * The batch's events already stored, per table, as {@code id + '\t' + day}: the batch's ids go to this loader's
     * own Memory table, then one query asks every table that existed before the batch for those (id, day) pairs,
     * scanning only the days the batch touches.
     */
    Map<String, Set<String>> storedIds(WriteBatch w, Set<String> created) throws IOException {
        String from = null;
        String to = null;
        for (TableBatch.Part part : w.ids().parts()) {
            if (part.firstDay() == null) continue;
            from = from == null || part.firstDay().compareTo(from) < 0 ? part.firstDay() : from;
            to = to == null || part.lastDay().compareTo(to) > 0 ? part.lastDay() : to;
        }
        List<String> tables = new ArrayList<>();
        for (TableBatch b : w.tables()) {
            if (!created.contains(b.table()) && b.rows() > 0) tables.add(b.table());
        }
        if (from == null || tables.isEmpty()) return Map.of();
        ch.execute("TRUNCATE TABLE " + ddl.q(idsTable));
        for (TableBatch.Part part : w.ids().parts()) {
            Path file = ((TsvStage) part.staged()).file();
            ch.insert(
                    ddl.q(idsTable),
                    part.columns(),
                    out -> TsvStage.padded(file, part.columns().size(), null, out));
        }
        // each table is asked only for the events it holds: every event has a row in events, and one in its own table
        StringBuilder sql = new StringBuilder();
        String range = " WHERE `timestamp` >= toDateTime(" + ClickHouse.literal(from + " 00:00:00") + ", 'UTC') AND "
                + "`timestamp` < toDateTime(" + ClickHouse.literal(to + " 00:00:00")
                + ", 'UTC') + 86400 AND (id, toDate("
                + "`timestamp`)) IN (SELECT id, toDate(`timestamp`) FROM " + ddl.q(idsTable);
        for (String t : tables) {
            if (sql.length() > 0) sql.append(" UNION ALL ");
            sql.append("SELECT ")
                    .append(ClickHouse.literal(t))
                    .append(", id, toString(toDate(`timestamp`)) FROM ")
                    .append(ddl.q(t))
                    .append(range)
                    .append(
                            t.equals(io.catchment.schema.Router.EVENTS)
                                    ? ")"
                                    : " WHERE tbl = " + ClickHouse.literal(t) + ")");
        }
        Map<String, Set<String>> out = new HashMap<>();
        ch.query(
                sql + " FORMAT TabSeparated",
                Map.of(),
                r -> out.computeIfAbsent(r[0], k -> new HashSet<>()).add(r[1] + '\t' + r[2]));
        return out;
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
