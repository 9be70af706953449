package io.catchment.sink.duckdb;

import io.catchment.schema.Names;
import io.catchment.schema.PersonKey;
import io.catchment.schema.SchemaChange;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code duckdb.person_index}: an ART index on {@code person_key} in every table that has the column, so that one
 * person's rows are found by index instead of a scan of the key column (a person's page: BENCHMARKS.md, session 13).
 * Off by default: it slows the loader's inserts and takes disk. Each table gets its index in the transaction that gives
 * it the column. DuckDB refuses to change a column's type in a table with an index, so a batch that widens a column
 * drops that table's index first and builds it again after (once per widened column: the cost of an index build).
 */
final class DuckDbPersonIndex {
    private volatile boolean enabled;

    boolean enabled() {
        return enabled;
    }

    static String name(String table) {
        return table + "__" + PersonKey.COLUMN;
    }

    /** Turns the index on: indexes each table that has {@code person_key} and no index yet; returns their names. */
    List<String> enable(Connection conn) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Statement s = conn.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT table_name FROM information_schema.columns WHERE table_catalog = '"
                                + DuckDbSink.CATALOG + "' AND table_schema = 'main' AND column_name = '"
                                + PersonKey.COLUMN
                                + "' AND table_name NOT IN (SELECT table_name FROM duckdb_indexes() WHERE database_name = '"
                                + DuckDbSink.CATALOG + "' AND index_name = table_name || '__" + PersonKey.COLUMN
                                + "') ORDER BY table_name")) {
            while (rs.next()) missing.add(rs.getString(1));
        }
        try (Statement s = conn.createStatement()) {
            for (String t : missing) create(s, t);
        }
        conn.commit();
        enabled = true;
        return missing;
    }

    /** Before the batch's schema changes: drops the index of each table a change widens a column of. */
    Set<String> beforeChanges(Statement s, List<SchemaChange> changes) throws SQLException {
        Set<String> dropped = new LinkedHashSet<>();
        if (!enabled) return dropped;
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN && dropped.add(c.table())) {
                s.execute("DROP INDEX IF EXISTS " + Names.quote(name(c.table())));
            }
        }
        return dropped;
    }

    /** After them: indexes each table that got {@code person_key}, and builds again those dropped before. */
    void afterChanges(Statement s, List<SchemaChange> changes, Set<String> dropped) throws SQLException {
        if (!enabled) return;
        Set<String> tables = new LinkedHashSet<>(dropped);
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.ADD_COLUMN && PersonKey.COLUMN.equals(c.column())) tables.add(c.table());
        }
        for (String t : tables) create(s, t);
    }

    private static void create(Statement s, String table) throws SQLException {
        s.execute("CREATE INDEX IF NOT EXISTS " + Names.quote(name(table)) + " ON " + Names.quote(table) + " ("
                + PersonKey.COLUMN + ")");
    }
}
