package io.catchment.sink.duckdb;

import io.catchment.deadletter.DeadLetter;
import io.catchment.schema.IdentityLinks;
import io.catchment.schema.Names;
import io.catchment.schema.Router;
import io.catchment.sink.RowRefusals;
import io.catchment.sink.TableBatch;
import io.catchment.sink.UserUpdate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rows of a batch DuckDB refused while loading it, set aside in the batch's own transaction so that one bad event
 * costs its dead letter and the rest of the batch is written at once. The batch's {@code read_csv} runs with
 * {@code store_rejects}: a row with a cell its column's type cannot take (a value the {@code JSON} type refuses, a
 * number out of range) is skipped and listed in the connection's temp table {@code reject_errors}, in the same pass
 * that loads the others. After the inserts, {@link #setAside} reads that list, removes the refused events' rows that
 * this transaction wrote to the batch's other tables (an event is all its rows or none), and returns their dead
 * letters, made by the batch's {@link RowRefusals}. Anything else it finds (a row of the wrong shape, more than
 * {@link #MAX} rows, an event the batch does not know) fails the write as before, and the caller takes the batch apart.
 * Runs inside the caller's transaction; not thread-safe (the writer's connection).
 */
final class DuckDbRejects {
    /** Past this many refused rows in one batch the fault is taken for the store's, not the events'. */
    static final int MAX = 1000;

    /** Staged rows begin with the event id, double-quoted. */
    /** The tables every event (or many) has a row in, besides its own. */
    private static final Set<String> SHARED = Set.of(Router.EVENTS, IdentityLinks.TABLE);

    private static final Pattern FIRST_CELL = Pattern.compile("^\"((?:[^\"]|\"\")*)\"");

    private DuckDbRejects() {}

    /** One refused event: the tables that refused it and the store's reasons. */
    private record Refused(StringBuilder tables, StringBuilder reasons) {}

    /**
     * Loads the batch's tables: each event's own table first, with {@code store_rejects}; then {@code events} and
     * {@code identity_links} without the events refused so far (anti-joined with a temp table {@code _refused}), so that
     * a refused event has no row to take out again. Deleting rows from a transaction's own appended rows costs DuckDB
     * its fast commit of them (measured: commit 0.45–1.9 s against 0.24–0.54 s per 100,000 events), so only an event
     * refused by {@code events} or {@code identity_links} themselves has rows deleted. Removes the refused events'
     * traits from {@code users}; without {@code refusals}, loads the tables as they come and any refused row fails the
     * statement.
     *
     * @return the dead letters of the refused events, for the caller to record in the same transaction
     */
    static List<DeadLetter> load(
            Connection conn,
            Statement s,
            List<TableBatch> tables,
            TableBatch ids,
            boolean skipDuplicates,
            RowRefusals refusals,
            List<UserUpdate> users,
            Map<String, Long> skipped)
            throws SQLException {
        Map<String, String> files = new HashMap<>();
        if (refusals == null) {
            DuckDbDedup.insertAll(s, tables, skipDuplicates, false, false, skipped, files);
            return List.of();
        }
        List<TableBatch> own = new ArrayList<>();
        List<TableBatch> shared = new ArrayList<>();
        for (TableBatch t : tables) (SHARED.contains(t.table()) ? shared : own).add(t);
        Map<String, Refused> refused = new LinkedHashMap<>();
        DuckDbDedup.insertAll(s, own, skipDuplicates, true, false, skipped, files);
        if (!own.isEmpty()) read(s, files, refused);
        Set<String> early = Set.copyOf(refused.keySet());
        if (!early.isEmpty())
            s.execute(
                    "CREATE OR REPLACE TEMP TABLE _refused AS SELECT unnest([" + quoted(early) + "]::VARCHAR[]) AS id");
        DuckDbDedup.insertAll(s, shared, skipDuplicates, true, !early.isEmpty(), skipped, files);
        if (!shared.isEmpty()) read(s, files, refused);
        if (refused.isEmpty()) return List.of();
        Map<String, Refused> late = new LinkedHashMap<>(refused);
        late.keySet().removeAll(early);
        Map<String, Set<String>> written = late.isEmpty() ? Map.of() : deleteWritten(conn, s, tables, ids, late);
        List<DeadLetter> dead = new ArrayList<>(refused.size());
        for (Map.Entry<String, Refused> e : refused.entrySet()) {
            // the event's tables in the batch's order: events, those it had rows in, and those that refused it
            Set<String> its = new HashSet<>(written.getOrDefault(e.getKey(), Set.of()));
            its.add(Router.EVENTS);
            its.addAll(List.of(e.getValue().tables().toString().split(",")));
            String names = String.join(
                    ",",
                    tables.stream().map(TableBatch::table).filter(its::contains).toList());
            DeadLetter d = refusals.deadLetter(
                    e.getKey(), names, e.getValue().reasons().toString());
            if (d == null) {
                throw new SQLException("the store refused a row of event " + e.getKey()
                        + ", which the batch does not hold: " + e.getValue().reasons());
            }
            dead.add(d);
        }
        users.removeIf(u -> u.eventId() != null && refused.containsKey(u.eventId()));
        return dead;
    }

    private static String quoted(Set<String> ids) {
        StringBuilder in = new StringBuilder();
        for (String id : ids) {
            if (in.length() > 0) in.append(", ");
            in.append('\'').append(id.replace("'", "''")).append('\'');
        }
        return in.toString();
    }

    /** The refused rows by event id, then empties the reject tables for the next batch. */
    private static void read(Statement s, Map<String, String> tableOfFile, Map<String, Refused> out)
            throws SQLException {
        int rows = 0;
        try (ResultSet rs = s.executeQuery("SELECT c.file_path, e.error_type, e.column_name, e.error_message, "
                + "e.csv_line FROM reject_errors e JOIN reject_scans c USING (scan_id, file_id) LIMIT " + (MAX + 1))) {
            while (rs.next()) {
                String table = tableOfFile.getOrDefault(rs.getString(1), rs.getString(1));
                String line = rs.getString(5);
                Matcher id = FIRST_CELL.matcher(line);
                if (!"CAST".equals(rs.getString(2)) || !id.find() || ++rows > MAX) {
                    throw new SQLException("DuckDB's CSV reader refused rows of " + table + " (" + rs.getString(2)
                            + ", " + (rows > MAX ? "over " + MAX + " rows" : "not a value its column refuses")
                            + "): " + rs.getString(4) + "\nOriginal Line: " + line);
                }
                Refused r = out.computeIfAbsent(
                        id.group(1).replace("\"\"", "\""), k -> new Refused(new StringBuilder(), new StringBuilder()));
                if (r.tables().length() > 0) {
                    r.tables().append(',');
                    r.reasons().append("; ");
                }
                r.tables().append(table);
                r.reasons().append("table ").append(table).append(": ").append(rs.getString(4));
            }
        }
        s.execute("DELETE FROM reject_errors");
        s.execute("DELETE FROM reject_scans");
    }

    /**
     * Deletes the rows of {@code ids} this transaction wrote to the batch's tables, and only those: the same id may
     * have rows committed before (an event sent twice), which stay. Rows appended by the open transaction have row
     * ids above every committed row's, so the committed maximum, read on a second connection (which sees only
     * committed data), divides them.
     *
     * @return the tables each event had rows deleted from
     */
    private static Map<String, Set<String>> deleteWritten(
            Connection conn, Statement s, List<TableBatch> tables, TableBatch ids, Map<String, Refused> refused)
            throws SQLException {
        String in = quoted(refused.keySet());
        Set<String> candidates = candidates(tables, ids, refused);
        Map<String, Long> committedMax = committedMax(conn, candidates);
        Map<String, Set<String>> written = new HashMap<>();
        for (TableBatch t : tables) {
            if (!candidates.contains(t.table())) continue;
            long max = committedMax.getOrDefault(t.table(), -1L); // a table this batch creates has no committed row
            // the row id bound also spares the scan of the committed rows (DuckDB skips their row groups)
            try (ResultSet rs = s.executeQuery("DELETE FROM " + Names.quote(t.table()) + " WHERE rowid > " + max
                    + " AND id IN (" + in + ") RETURNING id")) {
                while (rs.next())
                    written.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                            .add(t.table());
            }
        }
        return written;
    }

    /**
     * The tables that can hold rows of the refused events. An event has rows in {@code events}, its own table and
     * perhaps {@code identity_links}; one refused by a table of its own has no row there (the reader skipped it), so
     * only {@code events} and {@code identity_links} can hold its rows. Only for an event refused by those two is its
     * own table looked up in the batch's ids (every table of the batch without them): a table with hundreds of
     * columns costs milliseconds to plan a statement on, so the others are left alone.
     */
    private static Set<String> candidates(List<TableBatch> tables, TableBatch ids, Map<String, Refused> refused) {
        Set<String> shared = SHARED;
        Set<String> out = new HashSet<>();
        for (TableBatch t : tables) {
            if (!t.parts().isEmpty() && t.parts().get(0).columns().contains("id")) out.add(t.table());
        }
        boolean ownKnown = true;
        for (Refused r : refused.values()) {
            ownKnown &= !shared.containsAll(List.of(r.tables().toString().split(",")));
        }
        if (ownKnown) {
            out.retainAll(shared);
            return out;
        }
        if (ids == null || ids.parts().isEmpty()) return out;
        Set<String> its = new HashSet<>(shared);
        io.catchment.sink.BatchIds all = io.catchment.sink.BatchIds.of(ids);
        for (int i = 0; i < all.size(); i++) {
            if (refused.containsKey(all.id(i)) && all.table(i) != null) its.add(all.table(i));
        }
        out.retainAll(its);
        return out;
    }

    /**
     * The largest committed row id of each of {@code tables} that exists, read on a second connection, which sees only
     * committed data, in one query.
     */
    private static Map<String, Long> committedMax(Connection conn, Set<String> tables) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection committed = ((org.duckdb.DuckDBConnection) conn).duplicate()) {
            committed.setAutoCommit(true); // a duplicate inherits manual commit; this one only reads
            StringBuilder q = new StringBuilder();
            try (Statement c = committed.createStatement();
                    ResultSet rs = c.executeQuery("SELECT table_name FROM duckdb_tables() WHERE database_name = '"
                            + DuckDbSink.CATALOG + "'")) {
                while (rs.next()) {
                    String t = rs.getString(1);
                    if (!tables.contains(t)) continue;
                    if (q.length() > 0) q.append(" UNION ALL ");
                    q.append("SELECT '")
                            .append(t.replace("'", "''"))
                            .append("', coalesce(max(rowid), -1) FROM ")
                            .append(DuckDbSink.CATALOG)
                            .append('.')
                            .append(Names.quote(t));
                }
            }
            if (q.length() == 0) return out;
            try (Statement c = committed.createStatement();
                    ResultSet rs = c.executeQuery(q.toString())) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
