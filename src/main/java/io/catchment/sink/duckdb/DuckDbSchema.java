package io.catchment.sink.duckdb;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.TableBatch;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema side of a DuckDB batch: CREATE and ALTER as planned, every change a row of {@code _schema_changes}, and
 * {@code _columns} (which key each column holds, its type, first and last seen) kept in step. Runs inside the batch's
 * transaction, on the sink's connection, under the sink's lock.
 */
final class DuckDbSchema {
    private static final Logger SCHEMA_LOG = LoggerFactory.getLogger("catchment.schema");
    private final DuckDBConnection conn;

    DuckDbSchema(DuckDBConnection conn) {
        this.conn = conn;
    }

    /** Tables and their columns as stored (metadata tables and {@code users} left out), with each column's JSON key. */
    Map<String, TableSchema> readCatalog(int maxColumns) throws SQLException {
        Map<String, Map<String, ColumnType>> tables = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                + "WHERE table_schema = 'main' AND table_name NOT LIKE '\\_%' ESCAPE '\\' AND table_name <> 'users' "
                                + "ORDER BY table_name, ordinal_position")) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .put(rs.getString(2), ColumnType.fromSql(rs.getString(3)));
            }
        }
        Map<String, Map<String, String>> sources = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT table_name, column_name, source FROM _columns WHERE source IS NOT NULL")) {
            while (rs.next())
                sources.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .put(rs.getString(2), rs.getString(3));
        }
        conn.commit();
        Map<String, TableSchema> out = new LinkedHashMap<>();
        tables.forEach((t, cols) ->
                out.put(t, new TableSchema(t, cols, sources.getOrDefault(t, Map.of()), maxColumns)));
        return out;
    }

    /**
     * Applies changes in order. A table created in this batch is created with its final columns in one statement, built
     * from the changes themselves (never from the live catalog, which the loader may already be extending).
     */
    void applySchema(Statement s, List<SchemaChange> changes) throws SQLException {
        Map<String, Map<String, ColumnType>> created = new LinkedHashMap<>();
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.CREATE_TABLE) {
                created.put(c.table(), new LinkedHashMap<>(TableSchema.ENVELOPE));
            } else if (created.containsKey(c.table())) {
                created.get(c.table()).put(c.column(), c.newType());
            }
        }
        for (var t : created.entrySet()) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                    .append(Names.quote(t.getKey()))
                    .append(" (");
            t.getValue()
                    .forEach((col, type) -> ddl.append(Names.quote(col))
                            .append(' ')
                            .append(type.sql)
                            .append(", "));
            ddl.append("loaded_at TIMESTAMPTZ DEFAULT current_timestamp)");
            s.execute(ddl.toString());
        }
        for (SchemaChange c : changes) {
            if (created.containsKey(c.table())) continue;
            String table = Names.quote(c.table());
            if (c.kind() == SchemaChange.Kind.ADD_COLUMN) {
                s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + Names.quote(c.column()) + " "
                        + c.newType().sql);
            } else if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN) {
                s.execute("ALTER TABLE " + table + " ALTER COLUMN " + Names.quote(c.column()) + " SET DATA TYPE "
                        + c.newType().sql);
            }
        }
        if (changes.isEmpty()) return;
        List<Object[]> log = new ArrayList<>(changes.size());
        for (SchemaChange c : changes) {
            log.add(new Object[] {
                c.table(),
                c.column(),
                c.kind().name(),
                c.oldType() == null ? null : c.oldType().sql,
                c.newType() == null ? null : c.newType().sql,
                c.reason(),
                c.eventId(),
                c.source()
            });
        }
        insertRows(
                "INSERT INTO _schema_changes (table_name, column_name, change, old_type, new_type, reason, event_id, "
                        + "source) VALUES ",
                "",
                8,
                log);
        recordColumns(s, changes, created);
    }

    /** Keeps {@code _columns} (which key each column holds, its type, when first seen) in step with the changes. */
    private void recordColumns(Statement s, List<SchemaChange> changes, Map<String, Map<String, ColumnType>> created)
            throws SQLException {
        List<Object[]> added = new ArrayList<>();
        for (var t : created.entrySet()) {
            TableSchema.ENVELOPE.forEach((col, type) -> added.add(new Object[] {t.getKey(), col, null, type.sql}));
            added.add(new Object[] {t.getKey(), "loaded_at", null, ColumnType.TIMESTAMP.sql});
        }
        List<Object[]> widened = new ArrayList<>();
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.ADD_COLUMN) {
                ColumnType type =
                        created.containsKey(c.table()) ? created.get(c.table()).get(c.column()) : c.newType();
                added.add(new Object[] {c.table(), c.column(), c.source(), type.sql});
            } else if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN) {
                widened.add(new Object[] {c.table(), c.column(), c.newType().sql});
            }
        }
        insertRows("INSERT INTO _columns SELECT *, now(), now() FROM (VALUES ", ") ON CONFLICT DO NOTHING", 4, added);
        for (Object[] w : widened) {
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE _columns SET type = ? WHERE table_name = ? " + "AND column_name = ?")) {
                ps.setObject(1, w[2]);
                ps.setObject(2, w[0]);
                ps.setObject(3, w[1]);
                ps.execute();
            }
        }
    }

    /**
     * Inserts rows with one statement per 500 rows ({@code head} + {@code (?, …), (?, …)} + {@code tail}): a schema
     * change touching hundreds of columns costs a few statements, not hundreds.
     */
    private void insertRows(String head, String tail, int width, List<Object[]> rows) throws SQLException {
        String tuple = "(" + String.join(", ", java.util.Collections.nCopies(width, "?")) + ")";
        for (int from = 0; from < rows.size(); from += 500) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + 500));
            String sql = head + String.join(", ", java.util.Collections.nCopies(chunk.size(), tuple)) + tail;
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                int i = 1;
                for (Object[] row : chunk) {
                    for (Object v : row) ps.setObject(i++, v);
                }
                ps.execute();
            }
        }
    }

    /** Marks the columns a batch wrote to as seen now, in one statement. */
    static void touchColumns(Statement s, List<TableBatch> batches) throws SQLException {
        StringBuilder values = new StringBuilder();
        for (TableBatch b : batches) {
            java.util.Set<String> cols = new java.util.LinkedHashSet<>();
            for (TableBatch.Part p : b.parts()) cols.addAll(p.columns());
            for (String c : cols) {
                values.append(values.length() == 0 ? "" : ", ")
                        .append("('")
                        .append(b.table().replace("'", "''"))
                        .append("', '")
                        .append(c.replace("'", "''"))
                        .append("')");
            }
        }
        if (values.length() == 0) return;
        s.execute("UPDATE _columns SET last_seen = now() FROM (VALUES " + values + ") v(t, c) "
                + "WHERE _columns.table_name = v.t AND _columns.column_name = v.c");
    }
}
