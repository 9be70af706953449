package io.catchment.sink.duckdb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DuckDB's memory as the sink manages it: checkpoints when table data held in memory passes a share of the memory
 * limit, and DuckDB's own account of its memory for the log. Runs on the sink's connection, under the sink's lock.
 */
final class DuckDbMemory {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSink.class);
    private final DuckDBConnection conn;
    /** Checkpoint when table data held in memory passes this many bytes (three fifths of DuckDB's memory limit). */
    private final long inMemoryCeiling;

    DuckDbMemory(DuckDBConnection conn, String memoryLimit) {
        this.conn = conn;
        this.inMemoryCeiling = sizeBytes(memoryLimit, 1L << 30) * 3 / 5;
    }

    /**
     * DuckDB checkpoints on its own when the WAL passes {@code checkpoint_threshold}, but an {@code ALTER TABLE ADD
     * COLUMN} writes a few bytes of WAL while it fills the new column of every existing row group in memory until the
     * next checkpoint. Data that keeps gaining columns (new fields every few thousand events, the normal life of product
     * events) therefore runs DuckDB out of memory long before the WAL threshold. So after each commit the sink asks
     * DuckDB how much table data it holds in memory and checkpoints when that passes a third of the memory limit.
     */
    void checkpointIfMemoryHigh() {
        long held;
        try (Statement s = conn.createStatement();
                // what DuckDB spilled to temporary files is table data not checkpointed too (a 50M-row insert held
                // 952 MB in memory and 1.1 GB spilled, and the next write ran out of memory)
                ResultSet rs = s.executeQuery("SELECT coalesce(sum(memory_usage_bytes + temporary_storage_bytes), 0) "
                        + "FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'")) {
            held = rs.next() ? rs.getLong(1) : 0;
            conn.commit();
        } catch (SQLException e) {
            LOG.warn("cannot read DuckDB memory use", e);
            return;
        }
        if (held < inMemoryCeiling) return;
        long start = System.nanoTime();
        checkpoint();
        LOG.info(
                "checkpointed {} MB of in-memory table data in {} ms; now {}",
                held >> 20,
                (System.nanoTime() - start) / 1_000_000,
                memory());
    }

    /** Parses a DuckDB size setting ("1GB", "512MiB", "2.5 GB"); percentages and anything else give the fallback. */
    static long sizeBytes(String size, long fallback) {
        var m = java.util.regex.Pattern.compile("(?i)\\s*([0-9.]+)\\s*([kmgt]?i?b?)\\s*")
                .matcher(size);
        if (!m.matches()) return fallback;
        String unit = m.group(2).toUpperCase(java.util.Locale.ROOT);
        long base = unit.contains("I") ? 1024 : 1000;
        int power = unit.isEmpty() ? 0 : "BKMGT".indexOf(unit.charAt(0));
        if (power < 0) return fallback;
        return (long) (Double.parseDouble(m.group(1)) * Math.pow(base, power));
    }

    /**
     * Writes data not yet checkpointed to the database file, to free memory after a failed write. Runs outside any
     * transaction, which is the only place DuckDB runs it.
     */
    void checkpoint() {
        try {
            conn.setAutoCommit(true);
            try (Statement s = conn.createStatement()) {
                s.execute("CHECKPOINT");
            } finally {
                conn.setAutoCommit(false);
            }
        } catch (SQLException e) {
            LOG.warn("DuckDB checkpoint failed", e);
        }
    }

    /** DuckDB's own account of its memory, by component, for the log when it runs out. */
    String memory() {
        StringBuilder b = new StringBuilder();
        try (Connection c = conn.duplicate();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tag, memory_usage_bytes >> 20, temporary_storage_bytes >> 20 "
                        + "FROM duckdb_memory() WHERE memory_usage_bytes > 0 OR temporary_storage_bytes > 0")) {
            while (rs.next())
                b.append(rs.getString(1))
                        .append('=')
                        .append(rs.getLong(2))
                        .append("MB/")
                        .append(rs.getLong(3))
                        .append("MB-temp ");
        } catch (SQLException e) {
            b.append("unavailable: ").append(e.getMessage());
        }
        return b.toString();
    }
}
