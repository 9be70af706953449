package io.catchment.sink.duckdb;

import io.catchment.dashboard.DashboardStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code _dashboards} table: one row per dashboard, its spec as text. Each call commits on its own, under the
 * store's lock ({@code lock}): the loader's transactions and these never interleave on the one connection.
 */
final class DuckDbDashboards implements DashboardStore {
    private final Connection conn;
    private final Object lock;

    DuckDbDashboards(Connection conn, Object lock) throws SQLException {
        this.conn = conn;
        this.lock = lock;
        try (Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS _dashboards (id VARCHAR PRIMARY KEY, name VARCHAR, spec VARCHAR, "
                    + "updated_at TIMESTAMPTZ)");
            conn.commit();
        }
    }

    @Override
    public List<Dashboard> dashboards() {
        return read("SELECT id, name, spec, updated_at FROM _dashboards ORDER BY name, id", null);
    }

    @Override
    public Optional<Dashboard> dashboard(String id) {
        return read("SELECT id, name, spec, updated_at FROM _dashboards WHERE id = ?", id).stream()
                .findFirst();
    }

    private List<Dashboard> read(String sql, String id) {
        synchronized (lock) {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                if (id != null) ps.setString(1, id);
                List<Dashboard> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Dashboard(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getObject(4, java.time.OffsetDateTime.class).toInstant()));
                    }
                }
                conn.commit();
                return out;
            } catch (SQLException e) {
                throw new IllegalStateException("reading dashboards failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void saveDashboard(String id, String name, String spec) {
        change(
                "INSERT INTO _dashboards VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                        + "spec = excluded.spec, updated_at = excluded.updated_at",
                id,
                name,
                spec);
    }

    @Override
    public boolean deleteDashboard(String id) {
        return change("DELETE FROM _dashboards WHERE id = ?", id, null, null) > 0;
    }

    private int change(String sql, String id, String name, String spec) {
        synchronized (lock) {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                ps.setString(1, id);
                if (name != null) {
                    ps.setString(2, name);
                    ps.setString(3, spec);
                    ps.setObject(4, java.time.OffsetDateTime.ofInstant(Instant.now(), java.time.ZoneOffset.UTC));
                }
                int n = ps.executeUpdate();
                conn.commit();
                return n;
            } catch (SQLException e) {
                DuckDbFile.rollback(conn, e);
                throw new IllegalStateException("saving dashboards failed: " + e.getMessage(), e);
            }
        }
    }
}
