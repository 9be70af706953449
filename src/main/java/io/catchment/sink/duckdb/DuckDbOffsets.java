package io.catchment.sink.duckdb;

import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Where readers of the store stand: log consumers' next offsets ({@code _catchment_offsets}) and import jobs'
 * checkpoints, one row per job and member ({@code _imports}). Written inside the batch's transaction; stateless, the
 * caller owns the connection and its transaction.
 */
final class DuckDbOffsets {
    private DuckDbOffsets() {}

    static void create(Statement s) throws SQLException {
        s.execute("CREATE TABLE IF NOT EXISTS _catchment_offsets (consumer VARCHAR PRIMARY KEY, next_offset BIGINT)");
        s.execute("CREATE TABLE IF NOT EXISTS _imports (job_id VARCHAR, member VARCHAR, next_line BIGINT, "
                + "events BIGINT, dead_letters BIGINT, updated_at TIMESTAMPTZ, PRIMARY KEY (job_id, member))");
    }

    /** Records the batch's consumer offset (when it has a consumer) and its import checkpoints. */
    static void record(Connection conn, WriteBatch w) throws SQLException {
        if (w.consumer() != null) {
            try (PreparedStatement ps =
                    conn.prepareStatement("INSERT OR REPLACE INTO _catchment_offsets VALUES (?, ?)")) {
                ps.setString(1, w.consumer());
                ps.setLong(2, w.nextOffset());
                ps.execute();
            }
        }
        if (w.imports().isEmpty()) return;
        try (PreparedStatement ps =
                conn.prepareStatement("INSERT OR REPLACE INTO _imports VALUES (?, ?, ?, ?, ?, now())")) {
            for (ImportCheckpoint c : w.imports()) {
                ps.setString(1, c.jobId());
                ps.setString(2, c.member());
                ps.setLong(3, c.nextLine());
                ps.setLong(4, c.events());
                ps.setLong(5, c.deadLetters());
                ps.execute();
            }
        }
    }

    /** The consumer's next offset, or -1. */
    static long offset(Connection conn, String consumer) throws SQLException {
        try (PreparedStatement ps =
                conn.prepareStatement("SELECT next_offset FROM _catchment_offsets WHERE consumer = ?")) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    static Optional<ImportCheckpoint> checkpoint(Connection conn, String jobId, String member) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT next_line, events, dead_letters FROM _imports WHERE job_id = ? AND member = ?")) {
            ps.setString(1, jobId);
            ps.setString(2, member);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new ImportCheckpoint(jobId, member, rs.getLong(1), rs.getLong(2), rs.getLong(3)));
            }
        }
    }
}
