package io.catchment.sink.duckdb;

import io.catchment.InUseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.duckdb.DuckDBConnection;

/**
 * Opening the store's file for {@link DuckDbSink}: attaching it (which takes DuckDB's file lock), the settings that
 * confine the connection (UTC, memory, staging as the only readable directory, extensions off, configuration locked),
 * and the metadata tables. Runs once, on the opening thread, before the sink is used.
 */
final class DuckDbFile {
    /**
     * Rows per row group (DuckDB's default is 122,880). A loader batch then fills whole row groups, which DuckDB writes
     * to the database file as the batch inserts them (its "optimistic" write path): the commit logs only pointers to
     * them, and the next checkpoint has little left to write. With the default, every table's batch stayed in memory,
     * was copied into the WAL at commit and rewritten at each checkpoint, and a checkpoint rewrote every row group that
     * had gained rows: 1M mixed events 69,355 events/s (checkpoint 3.4 s) against 89,175 (DuckDB 2.0.0.1, same
     * machine and session). That path lost exactness after {@code kill -9} on DuckDB 1.5.2 (a batch's uncommitted rows
     * recovered from the file, so a replay stored them twice; duckdb/duckdb#25931, merged for 2.0); CrashIT guards it.
     * Session 9 went from 16,384 to 4,096: a batch spread over many event tables gives each only a few thousand rows
     * (100,000 real-shaped events over 16 tables: 6,250 each), which stayed under a row group and were copied into the
     * WAL at commit, 1.8–4.3 s per batch for wide tables; with 4,096 the commit is 0.1 s and the real-shaped load went
     * from 8,231 to 12,759 events/s in one session (ratio to read_json 0.83 → 1.21); mixed events are unchanged within
     * the noise, on disk +2–8% (BENCHMARKS.md, session 9). An attach option, given at every attach.
     */
    static final int ROW_GROUP_SIZE = 4_096;

    private DuckDbFile() {}

    /**
     * Attaches {@code file} as {@link DuckDbSink#CATALOG} and uses it; closes the connection and throws {@link
     * InUseException} when another process holds the file.
     */
    static void attach(DuckDBConnection conn, Path file, long blockSize) throws SQLException {
        try (Statement s = conn.createStatement()) {
            // attached rather than opened, for the storage options; the catalog keeps the file's name, as when opened.
            // Attaching takes DuckDB's file lock: only then is the staging directory this process's to empty.
            // The block size is chosen when the file is created; an existing file keeps its own (DuckDB refuses
            // another).
            s.execute("ATTACH '" + file.toString().replace("'", "''") + "' AS " + DuckDbSink.CATALOG + " ("
                    + (Files.exists(file) ? "" : "BLOCK_SIZE " + blockSize + ", ") + "ROW_GROUP_SIZE " + ROW_GROUP_SIZE
                    + ")");
            s.execute("USE " + DuckDbSink.CATALOG);
        } catch (SQLException e) {
            conn.close();
            if (DuckDbErrors.isLockConflict(e)) {
                throw new InUseException("the store " + file + " is in use by another process: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * The session's settings, locked last: from then on no connection, the query connections included, can change
     * one.
     */
    static void configure(
            DuckDBConnection conn, String memoryLimit, String checkpointThreshold, int threads, Path tmp, Path staging)
            throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("SET GLOBAL TimeZone = 'UTC'");
            s.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
            s.execute("SET temp_directory = '" + tmp.toString().replace("'", "''") + "'");
            s.execute("SET allowed_directories = ['" + staging.toString().replace("'", "''") + "/']");
            s.execute("SET checkpoint_threshold = '" + checkpointThreshold.replace("'", "") + "'");
            s.execute("SET preserve_insertion_order = false");
            if (threads > 0) s.execute("SET threads = " + threads);
            s.execute("SET autoinstall_known_extensions = false");
            s.execute("SET autoload_known_extensions = false");
            s.execute("SET allow_community_extensions = false");
            s.execute("SET enable_external_access = false");
            // last: from here on no connection, the query connections included, can change a setting
            s.execute("SET lock_configuration = true");
        }
    }

    /** The metadata tables: offsets and import checkpoints, schema changes, users, columns. */
    static void createTables(DuckDBConnection conn) throws SQLException {
        try (Statement s = conn.createStatement()) {
            DuckDbOffsets.create(s);
            s.execute("CREATE TABLE IF NOT EXISTS _schema_changes (changed_at TIMESTAMPTZ DEFAULT current_timestamp, "
                    + "table_name VARCHAR, column_name VARCHAR, change VARCHAR, old_type VARCHAR, new_type VARCHAR, "
                    + "reason VARCHAR, event_id VARCHAR, source VARCHAR)");
            s.execute("CREATE TABLE IF NOT EXISTS users (user_id VARCHAR PRIMARY KEY, traits JSON, trait_times JSON, "
                    + "first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, updated_at TIMESTAMPTZ)");
            s.execute(
                    "CREATE TABLE IF NOT EXISTS _columns (table_name VARCHAR, column_name VARCHAR, source VARCHAR, "
                            + "type VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, PRIMARY KEY (table_name, column_name))");
        }
    }

    /** Runs statements in one transaction (the connection is not in auto-commit); a failure rolls them all back. */
    static void run(DuckDBConnection conn, java.util.List<String> statements) throws io.catchment.sink.SinkException {
        try (java.sql.Statement s = conn.createStatement()) {
            for (String sql : statements) s.execute(sql);
            conn.commit();
        } catch (java.sql.SQLException e) {
            throw rolledBack(conn, "the layout upgrade failed", e);
        }
    }

    /** Rolls the connection's transaction back after {@code e} and returns the failure to throw. */
    private static io.catchment.sink.SinkException rolledBack(
            DuckDBConnection conn, String what, java.sql.SQLException e) {
        rollback(conn, e);
        return new io.catchment.sink.SinkException(what + ": " + e.getMessage(), e, DuckDbErrors.isTransient(e));
    }

    /** Rolls back after {@code cause}; a rollback that fails too is kept as suppressed by {@code cause}. */
    static void rollback(java.sql.Connection conn, java.sql.SQLException cause) {
        try {
            conn.rollback();
        } catch (java.sql.SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /**
     * Deletes the rows of {@code table} older than {@code before}, in one transaction, then runs {@code checkpoint}
     * when it deleted any (so that the next writes reuse the freed blocks); returns how many.
     */
    static long deleteBefore(DuckDBConnection conn, String table, java.time.Instant before, Runnable checkpoint)
            throws io.catchment.sink.SinkException {
        String sql = "DELETE FROM " + io.catchment.schema.Names.quote(table) + " WHERE \"timestamp\" < ?";
        try (java.sql.PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setObject(1, java.time.OffsetDateTime.ofInstant(before, java.time.ZoneOffset.UTC));
            long n = ps.executeUpdate();
            conn.commit();
            if (n > 0) checkpoint.run();
            return n;
        } catch (java.sql.SQLException e) {
            throw rolledBack(conn, "retention could not delete from " + table, e);
        }
    }
}
