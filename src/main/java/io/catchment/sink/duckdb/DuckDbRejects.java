package io.catchment.sink.duckdb;

import io.catchment.deadletter.DeadLetter;
import io.catchment.schema.Names;
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
    private static final Pattern FIRST_CELL = Pattern.compile("^\"((?:[^\"]|\"\")*)\"");

    private DuckDbRejects() {}

    /** One refused event: the tables that refused it and the store's reasons. */
    private record Refused(StringBuilder tables, StringBuilder reasons) {}

    /**
     * Sets aside the rows refused by this transaction's inserts (nothing when none was); {@code tableOfFile} maps each
     * staged file's path to its table. Removes the refused events' traits from {@code users}.
     *
     * @return the dead letters of the refused events, for the caller to record in the same transaction
     */
    static List<DeadLetter> setAside(
            Connection conn,
            Statement s,
            List<TableBatch> tables,
            Map<String, String> tableOfFile,
            RowRefusals refusals,
            List<UserUpdate> users)
            throws SQLException {
        Map<String, Refused> refused = read(s, tableOfFile);
        if (refused.isEmpty()) return List.of();
        Map<String, Set<String>> written = deleteWritten(conn, s, tables, refused.keySet());
        List<DeadLetter> dead = new ArrayList<>(refused.size());
        for (Map.Entry<String, Refused> e : refused.entrySet()) {
            // the event's tables in the batch's order: those it had rows in, and those that refused it
            Set<String> had = written.getOrDefault(e.getKey(), Set.of());
            String refusing = e.getValue().tables().toString();
            StringBuilder its = new StringBuilder();
            for (TableBatch t : tables) {
                if (!had.contains(t.table()) && !List.of(refusing.split(",")).contains(t.table())) continue;
                if (its.length() > 0) its.append(',');
                its.append(t.table());
            }
            DeadLetter d = refusals.deadLetter(
                    e.getKey(), its.toString(), e.getValue().reasons().toString());
            if (d == null) {
                throw new SQLException("the store refused a row of event " + e.getKey()
                        + ", which the batch does not hold: " + e.getValue().reasons());
            }
            dead.add(d);
        }
        users.removeIf(u -> u.eventId() != null && refused.containsKey(u.eventId()));
        return dead;
    }

    /** The refused rows by event id, then empties the reject tables for the next batch. */
    private static Map<String, Refused> read(Statement s, Map<String, String> tableOfFile) throws SQLException {
        Map<String, Refused> out = new LinkedHashMap<>();
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
        return out;
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
            Connection conn, Statement s, List<TableBatch> tables, Set<String> ids) throws SQLException {
        Map<String, Set<String>> written = new HashMap<>();
        StringBuilder in = new StringBuilder();
        for (String id : ids) {
            if (in.length() > 0) in.append(", ");
            in.append('\'').append(id.replace("'", "''")).append('\'');
        }
        try (Connection committed = ((org.duckdb.DuckDBConnection) conn).duplicate()) {
            committed.setAutoCommit(true); // a duplicate inherits manual commit; this one only reads
            Set<String> stored = new HashSet<>();
            try (Statement c = committed.createStatement();
                    ResultSet rs = c.executeQuery("SELECT table_name FROM duckdb_tables() WHERE database_name = '"
                            + DuckDbSink.CATALOG + "'")) {
                while (rs.next()) stored.add(rs.getString(1));
            }
            for (TableBatch t : tables) {
                if (t.parts().isEmpty() || !t.parts().get(0).columns().contains("id")) continue;
                String table = Names.quote(t.table());
                long max = -1; // a table this batch creates has no committed row
                if (stored.contains(t.table())) {
                    try (Statement c = committed.createStatement();
                            ResultSet rs = c.executeQuery(
                                    "SELECT coalesce(max(rowid), -1) FROM " + DuckDbSink.CATALOG + "." + table)) {
                        rs.next();
                        max = rs.getLong(1);
                    }
                }
                try (ResultSet rs = s.executeQuery(
                        "DELETE FROM " + table + " WHERE rowid > " + max + " AND id IN (" + in + ") RETURNING id")) {
                    while (rs.next())
                        written.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                                .add(t.table());
                }
            }
        }
        return written;
    }
}
