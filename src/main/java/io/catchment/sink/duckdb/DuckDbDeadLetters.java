package io.catchment.sink.duckdb;

import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterStore;
import io.catchment.schema.Names;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code _dead_letters} table: one row per failed event (keyed by a hash of its canonical JSON), the reason,
 * table, attempts, first and last failure, and when it was last replayed. The event is kept as plain text
 * ({@code VARCHAR}), never cast to JSON: recording a dead letter cannot fail on what the event holds. Used by
 * {@link DuckDbSink} under its lock.
 */
final class DuckDbDeadLetters {
    private final Connection conn;

    DuckDbDeadLetters(Connection conn) throws SQLException {
        this.conn = conn;
        try (Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS _dead_letters (key VARCHAR PRIMARY KEY, event_id VARCHAR, "
                    + "table_name VARCHAR, reason VARCHAR, attempts INTEGER, first_failed_at TIMESTAMPTZ, "
                    + "last_failed_at TIMESTAMPTZ, replayed_at TIMESTAMPTZ, log_offset BIGINT, event VARCHAR)");
            // stores made before the event was kept as text: a JSON column refuses what JSON parsing refuses
            try (ResultSet rs =
                    s.executeQuery("SELECT data_type FROM duckdb_columns() WHERE table_name = '_dead_letters' "
                            + "AND column_name = 'event' AND schema_name = current_schema()")) {
                if (rs.next() && !rs.getString(1).equals("VARCHAR"))
                    s.execute("ALTER TABLE _dead_letters ALTER event TYPE VARCHAR");
            }
        }
    }

    /**
     * Adds dead letters inside the caller's transaction; an event already there counts one more attempt. Up to 100 a
     * statement (one statement a letter took 10–30 ms each inside a large batch's transaction), never the same event
     * twice in one (DuckDB updates a row once per statement).
     */
    void add(Connection c, List<DeadLetter> letters) throws SQLException {
        List<DeadLetter> chunk = new ArrayList<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (DeadLetter d : letters) {
            if (chunk.size() == 100 || !keys.add(key(d))) {
                insert(c, chunk);
                chunk.clear();
                keys.clear();
                keys.add(key(d));
            }
            chunk.add(d);
        }
        insert(c, chunk);
    }

    private static String key(DeadLetter d) {
        return Names.hash(d.event()).substring(0, 24);
    }

    private static void insert(Connection c, List<DeadLetter> chunk) throws SQLException {
        if (chunk.isEmpty()) return;
        String values = String.join(
                ", ", java.util.Collections.nCopies(chunk.size(), "(?, ?, ?, ?, 1, now(), now(), NULL, ?, ?)"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO _dead_letters VALUES " + values
                + " ON CONFLICT (key) DO UPDATE SET attempts = _dead_letters.attempts + 1, last_failed_at = now(), "
                + "reason = excluded.reason, replayed_at = NULL, log_offset = excluded.log_offset")) {
            int i = 0;
            for (DeadLetter d : chunk) {
                ps.setString(++i, key(d));
                ps.setString(++i, d.eventId());
                ps.setString(++i, d.table());
                ps.setString(++i, d.reason());
                ps.setLong(++i, d.logOffset());
                ps.setString(++i, d.event());
            }
            ps.execute();
        }
    }

    List<DeadLetterStore.Entry> list(DeadLetterStore.Filter f, int limit) {
        String sql =
                "SELECT key, event_id, table_name, reason, attempts, first_failed_at, last_failed_at, replayed_at, "
                        + "log_offset, event::VARCHAR FROM _dead_letters" + where(f)
                        + " ORDER BY first_failed_at, key LIMIT " + limit;
        List<DeadLetterStore.Entry> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, f);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetterStore.Entry(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getInt(5),
                            time(rs, 6),
                            time(rs, 7),
                            time(rs, 8),
                            rs.getLong(9),
                            rs.getString(10)));
                }
            }
            conn.commit();
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read dead letters: " + e.getMessage(), e);
        }
    }

    int markReplayed(List<String> keys) {
        if (keys.isEmpty()) return 0;
        return update(
                "UPDATE _dead_letters SET replayed_at = now()", new DeadLetterStore.Filter(keys, null, null, true));
    }

    int purge(DeadLetterStore.Filter f) {
        return update("DELETE FROM _dead_letters", f);
    }

    long pending() {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM _dead_letters WHERE replayed_at IS NULL")) {
            rs.next();
            long n = rs.getLong(1);
            conn.commit();
            return n;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count dead letters: " + e.getMessage(), e);
        }
    }

    private int update(String sql, DeadLetterStore.Filter f) {
        try (PreparedStatement ps = conn.prepareStatement(sql + where(f))) {
            bind(ps, f);
            int n = ps.executeUpdate();
            conn.commit();
            return n;
        } catch (SQLException e) {
            DuckDbFile.rollback(conn, e);
            throw new IllegalStateException("cannot update dead letters: " + e.getMessage(), e);
        }
    }

    private static String where(DeadLetterStore.Filter f) {
        List<String> c = new ArrayList<>();
        if (!f.includeReplayed()) c.add("replayed_at IS NULL");
        if (!f.keys().isEmpty()) c.add("key IN (" + "?, ".repeat(f.keys().size() - 1) + "?)");
        if (f.reason() != null) c.add("reason ILIKE ('%' || ? || '%')");
        if (f.since() != null) c.add("last_failed_at >= ?");
        if (f.before() != null) c.add("last_failed_at < ?");
        return c.isEmpty() ? "" : " WHERE " + String.join(" AND ", c);
    }

    private static void bind(PreparedStatement ps, DeadLetterStore.Filter f) throws SQLException {
        int i = 1;
        for (String k : f.keys()) ps.setString(i++, k);
        if (f.reason() != null) ps.setString(i++, f.reason());
        if (f.since() != null)
            ps.setObject(i++, java.time.OffsetDateTime.ofInstant(f.since(), java.time.ZoneOffset.UTC));
        if (f.before() != null)
            ps.setObject(i, java.time.OffsetDateTime.ofInstant(f.before(), java.time.ZoneOffset.UTC));
    }

    private static Instant time(ResultSet rs, int col) throws SQLException {
        Object o = rs.getObject(col);
        if (o == null) return null;
        if (o instanceof java.time.OffsetDateTime t) return t.toInstant();
        if (o instanceof java.sql.Timestamp t) return t.toInstant();
        return Instant.parse(o.toString());
    }
}
