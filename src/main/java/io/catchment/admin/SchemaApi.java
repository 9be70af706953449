package io.catchment.admin;

import io.catchment.collector.Auth;
import io.catchment.collector.HttpProblem;
import io.catchment.event.EventJson;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/schema} (admin key): every table with its columns (type, the source key each holds, first and last
 * seen) and the most recent schema changes. {@code ?table=NAME} narrows to one table, {@code ?changes=N} sets how
 * many changes (default 20).
 */
public final class SchemaApi {
    private final Sink sink;
    private final Auth auth;

    public SchemaApi(Sink sink, Auth auth) {
        this.sink = sink;
        this.auth = auth;
    }

    public void schema(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        String table = ctx.queryParam("table");
        if (table != null && !table.matches("[a-z0-9_]{1,63}")) {
            throw HttpProblem.of(400, "invalid", "table must be a table name like order_completed, got " + table);
        }
        int changes;
        try {
            changes = ctx.queryParam("changes") == null
                    ? 20
                    : Math.max(0, Math.min(1000, Integer.parseInt(ctx.queryParam("changes"))));
        } catch (NumberFormatException e) {
            throw HttpProblem.of(400, "invalid", "changes must be a number");
        }
        boolean duckDb = sink.dialect() == io.catchment.sink.Sink.Dialect.DUCKDB;
        List<Map<String, Object>> tableList = duckDb ? duckDbTables(table) : catalogTables(table);
        QueryResult recent = sink.query(
                "SELECT changed_at, table_name, column_name, change, old_type, new_type, reason, "
                        + "event_id, source FROM _schema_changes"
                        + (table == null ? "" : " WHERE table_name = '" + table + "'")
                        + " ORDER BY changed_at DESC" + (duckDb ? ", rowid DESC" : "")
                        + " LIMIT " + changes,
                changes + 1,
                Duration.ofSeconds(30));
        List<Map<String, Object>> changeList = new ArrayList<>();
        for (List<Object> r : recent.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < recent.columns().size(); i++)
                m.put(recent.columns().get(i).name(), r.get(i));
            changeList.add(m);
        }
        ctx.contentType("application/json")
                .result(EventJson.MAPPER.writeValueAsBytes(Map.of("tables", tableList, "changes", changeList)));
    }

    /** Tables and columns from the store's catalog (stores without a first/last-seen record: ClickHouse). */
    private List<Map<String, Object>> catalogTables(String table) {
        List<Map<String, Object>> tableList = new ArrayList<>();
        new java.util.TreeMap<>(sink.catalog()).forEach((name, schema) -> {
            if (table != null && !table.equals(name)) return;
            List<Map<String, Object>> cols = new ArrayList<>();
            schema.columns().forEach((c, type) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c);
                m.put("type", type.sql);
                m.put("source", schema.sources().get(c));
                m.put("first_seen", null);
                m.put("last_seen", null);
                cols.add(m);
            });
            tableList.add(Map.of("name", name, "columns", cols));
        });
        return tableList;
    }

    private List<Map<String, Object>> duckDbTables(String table) {
        String where = table == null ? "" : " AND c.table_name = '" + table + "'";
        QueryResult cols = sink.query(
                "SELECT i.table_name, i.column_name, i.data_type, c.source, c.first_seen, c.last_seen "
                        + "FROM information_schema.columns i LEFT JOIN _columns c ON c.table_name = i.table_name AND c.column_name = i.column_name "
                        + "WHERE i.table_schema = 'main' AND i.table_name NOT LIKE '\\_%' ESCAPE '\\'"
                        + where.replace("c.table_name", "i.table_name")
                        + " ORDER BY i.table_name, i.ordinal_position",
                1_000_000,
                Duration.ofSeconds(30));
        Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
        for (List<Object> r : cols.rows()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", r.get(1));
            c.put("type", r.get(2));
            c.put("source", r.get(3));
            c.put("first_seen", r.get(4));
            c.put("last_seen", r.get(5));
            tables.computeIfAbsent((String) r.get(0), t -> new ArrayList<>()).add(c);
        }
        List<Map<String, Object>> tableList = new ArrayList<>();
        tables.forEach((t, c) -> tableList.add(Map.of("name", t, "columns", c)));
        return tableList;
    }
}
