package io.catchment.sink.clickhouse;

import io.catchment.dashboard.DashboardStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The {@code _dashboards} table, a ReplacingMergeTree by {@code version}: saving or deleting writes a new version of
 * the row (deleted = 1), and reads take each id's latest version.
 */
final class ClickHouseDashboards implements DashboardStore {
    private static final List<String> COLUMNS = List.of("id", "name", "spec", "updated_at", "deleted", "version");
    private final ClickHouse ch;
    private final String table;
    private final LongSupplier version;

    ClickHouseDashboards(ClickHouse ch, String db, LongSupplier version) {
        this.ch = ch;
        this.table = ClickHouse.ident(db) + "." + ClickHouse.ident("_dashboards");
        this.version = version;
    }

    @Override
    public List<Dashboard> dashboards() {
        return read("");
    }

    @Override
    public Optional<Dashboard> dashboard(String id) {
        return read(" WHERE id = " + ClickHouse.literal(id)).stream().findFirst();
    }

    private List<Dashboard> read(String where) {
        List<Dashboard> out = new ArrayList<>();
        for (String[] r :
                ch.rows("SELECT id, argMax(name, version), argMax(spec, version), argMax(updated_at, version), "
                        + "argMax(deleted, version) AS d FROM " + table + where + " GROUP BY id HAVING d = 0 ORDER BY "
                        + "argMax(name, version), id")) {
            out.add(new Dashboard(r[0], r[1], r[2], Instant.parse(ClickHouse.iso(r[3]))));
        }
        return out;
    }

    @Override
    public synchronized void saveDashboard(String id, String name, String spec) {
        write(id, name, spec, 0);
    }

    @Override
    public synchronized boolean deleteDashboard(String id) {
        if (dashboard(id).isEmpty()) return false;
        write(id, "", "", 1);
        return true;
    }

    private void write(String id, String name, String spec, int deleted) {
        String row = ClickHouse.line(id, name, spec, Instant.now().toString(), deleted, version.getAsLong());
        ch.insert(table, COLUMNS, out -> out.write(row.getBytes(StandardCharsets.UTF_8)));
    }
}
