package io.catchment.analytics;

import io.catchment.event.EventJson;
import io.catchment.schema.Names;
import io.catchment.schema.PersonKey;
import io.catchment.schema.TableSchema;
import io.catchment.sink.QueryResult;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events as people read them: the {@code events} table's rows as objects of their non-null columns (context nested),
 * with the properties and traits of each from the table of its kind, fetched for a whole page at once.
 */
final class EventRows {
    private EventRows() {}

    /** Each event's properties and traits from the table of its kind (one statement for the page). */
    static void attachProperties(Analytics a, List<Map<String, Object>> events, Map<String, TableSchema> catalog) {
        attachProperties(a, events, catalog, null, -1);
    }

    /**
     * Like {@link #attachProperties(Analytics, List, Map)} for one person's events: {@code owner} (their ids, when the
     * store keeps person keys) narrows each table to that person's rows first; {@code owned} is how many events they
     * have, if counted (else -1).
     */
    static void attachProperties(
            Analytics a,
            List<Map<String, Object>> events,
            Map<String, TableSchema> catalog,
            List<String> owner,
            long owned) {
        if (a.layout == io.catchment.config.Layout.SINGLE) return;
        Map<String, List<Map<String, Object>>> byTable = new LinkedHashMap<>();
        for (Map<String, Object> e : events) {
            String type = String.valueOf(e.get("type"));
            String table = switch (type) {
                case "identify" -> "identifies";
                case "page" -> "pages";
                case "screen" -> "screens";
                case "group" -> "groups";
                case "alias" -> "aliases";
                default -> Names.table((String) e.get("event"));
            };
            if (catalog.containsKey(table))
                byTable.computeIfAbsent(table, k -> new ArrayList<>()).add(e);
        }
        Map<String, Map<String, Object>> rows = new java.util.HashMap<>();
        if (owner != null && a.personIndex && !byTable.isEmpty()) {
            PersonRows.read(a, byTable, catalog, owner, owned, rows);
        } else if (a.sink.dialect() == io.catchment.sink.Sink.Dialect.DUCKDB && !byTable.isEmpty()) {
            // one statement for the page: each table's rows as JSON objects (tables differ in columns)
            Sql q = a.sql();
            for (Map.Entry<String, List<Map<String, Object>>> t : byTable.entrySet()) {
                if (q.text().length() > 0) q.a(" UNION ALL ");
                q.a("SELECT id, CAST(to_json(t) AS VARCHAR) AS _row");
                if (owner != null && catalog.get(t.getKey()).columns().containsKey(PersonKey.COLUMN)) {
                    // by row id: the person's rows are found on the key column alone, then read whole
                    q.a(" FROM ").id(t.getKey()).a(" AS t WHERE rowid IN (SELECT rowid");
                    rowsOf(q, t.getKey(), t.getValue());
                    q.a(" AND ");
                    People.owns(q, owner, true);
                    q.a(")");
                } else {
                    rowsOf(q, t.getKey(), t.getValue());
                }
            }
            collect(a.rows(q), rows);
        } else if (!byTable.isEmpty()) {
            ClickHouseRows.read(a, byTable, catalog, rows);
        }
        for (Map<String, Object> e : events) {
            Map<String, Object> own = rows.get(String.valueOf(e.get("id")));
            if (own == null) continue;
            Map<String, Object> props = new LinkedHashMap<>();
            Map<String, Object> traits = new LinkedHashMap<>();
            for (Map.Entry<String, Object> c : own.entrySet()) {
                if (c.getKey().startsWith("properties_")) props.put(c.getKey().substring(11), c.getValue());
                else if (c.getKey().startsWith("traits_")) traits.put(c.getKey().substring(7), c.getValue());
                else if (c.getKey().equals(TableSchema.EXTRA)) props.put(c.getKey(), c.getValue());
            }
            if (!props.isEmpty()) e.put("properties", props);
            if (!traits.isEmpty()) e.put("traits", traits);
        }
    }

    /** Adds each {@code (id, row as JSON)} of a DuckDB result to {@code rows} by id, its null columns left out. */
    static void collect(List<List<Object>> result, Map<String, Map<String, Object>> rows) {
        for (List<Object> r : result) {
            try {
                Map<String, Object> row = new LinkedHashMap<>();
                EventJson.MAPPER.readTree(String.valueOf(r.get(1))).properties().forEach(f -> {
                    if (!f.getValue().isNull()) row.put(f.getKey(), f.getValue());
                });
                rows.putIfAbsent(String.valueOf(r.get(0)), row);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("DuckDB's to_json gave no JSON", e);
            }
        }
    }

    /** Appends {@code FROM table AS t WHERE id IN (the events' ids)} bounded by the events' times. */
    static void rowsOf(Sql q, String table, List<Map<String, Object>> events) {
        String lo = null, hi = null;
        q.a(" FROM ").id(table).a(" AS t WHERE id IN (");
        int i = 0;
        for (Map<String, Object> e : events) {
            (i++ > 0 ? q.a(", ") : q).v(String.valueOf(e.get("id")));
            String ts = String.valueOf(e.get("timestamp"));
            if (lo == null || ts.compareTo(lo) < 0) lo = ts;
            if (hi == null || ts.compareTo(hi) > 0) hi = ts;
        }
        q.a(")");
        try {
            // the time bounds let the store skip to the right part of a table sorted by time
            Instant from = Instant.parse(lo), to = Instant.parse(hi);
            q.a(" AND ")
                    .id("timestamp")
                    .a(" >= ")
                    .time(from)
                    .a(" AND ")
                    .id("timestamp")
                    .a(" <= ")
                    .time(to);
        } catch (DateTimeParseException ignored) {
            // a time the store printed in another form: no bound, same answer
        }
    }

    /** Rows as objects of their non-null columns ({@code loaded_at} left out); context columns nested. */
    static List<Map<String, Object>> objects(QueryResult r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> context = new LinkedHashMap<>();
            for (int i = 0; i < r.columns().size(); i++) {
                String name = r.columns().get(i).name();
                Object v = row.get(i);
                if (v == null
                        || name.equals("loaded_at")
                        || (v instanceof String str && str.isEmpty() && !name.equals("id"))) continue;
                if (name.startsWith("context_")) context.put(name.substring(8), v);
                else m.put(name, v);
            }
            if (!context.isEmpty()) m.put("context", context);
            out.add(m);
        }
        return out;
    }
}
