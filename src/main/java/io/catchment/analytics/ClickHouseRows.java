package io.catchment.analytics;

import io.catchment.schema.ColumnType;
import io.catchment.schema.TableSchema;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A page's own-table rows on ClickHouse, in one statement: each table's rows of the page's ids on the page's days,
 * UNION ALL over the page's tables, with only the columns a page shows (properties, traits, {@code _extra}). Tables
 * differ in columns, so every such column of any of the tables is a column of the union, NULL in the tables without it;
 * a name with another Catchment type in another table is a column of its own (ClickHouse finds no common type for text
 * and numbers). One statement per table with every column took a person's page of 25 tables 0.81 s at 10M events
 * (load average 5-7); this, 0.15 s. Narrowing each table by the person's key as
 * well made it slower (0.37 s against 0.27 s without the days): ClickHouse then reads the key column of every row.
 */
final class ClickHouseRows {
    private ClickHouseRows() {}

    /**
     * The time of a person's {@code limit}-th newest event older than the cursor, to the second at or before it, read
     * from the key and time columns alone; null when they have fewer. The page then reads every column only from that
     * time on: a person's page of 100 events at 70M events, 1.9 s + 2.0 s against a 30 s timeout (BENCHMARKS.md,
     * session 16).
     */
    static Instant pageFrom(Analytics a, List<String> ids, int limit, String before) {
        Sql s = a.sql().a("SELECT ").id("timestamp").a(" FROM events PREWHERE ");
        People.owns(s, ids, true);
        People.before(s, before);
        s.a(" ORDER BY ").id("timestamp").a(" DESC LIMIT 1 OFFSET " + (limit - 1));
        List<List<Object>> r = a.rows(s);
        return r.isEmpty() ? null : Live.atOrBefore(r.get(0).get(0), null);
    }

    /** Whether a page shows {@code column} of an event's own table. */
    static boolean shown(String column) {
        return column.startsWith("properties_") || column.startsWith("traits_") || column.equals(TableSchema.EXTRA);
    }

    /**
     * Adds each page event's own row to {@code rows} by id, as a map of its shown non-null columns (an empty text
     * left out, as {@link EventRows#objects} does).
     */
    static void read(
            Analytics a,
            Map<String, List<Map<String, Object>>> byTable,
            Map<String, TableSchema> catalog,
            Map<String, Map<String, Object>> rows) {
        // every shown column of the page's tables, by name and type: its place in the union
        Map<String, Integer> slots = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (String table : byTable.keySet()) {
            for (Map.Entry<String, ColumnType> c : catalog.get(table).columns().entrySet()) {
                if (shown(c.getKey()) && slots.putIfAbsent(slot(c), names.size()) == null) names.add(c.getKey());
            }
        }
        Sql q = a.sql();
        for (Map.Entry<String, List<Map<String, Object>>> t : byTable.entrySet()) {
            if (q.text().length() > 0) q.a(" UNION ALL ");
            Map<String, ColumnType> columns = catalog.get(t.getKey()).columns();
            q.a("SELECT id, ").v(t.getKey()).a(" AS _tbl");
            int i = 0;
            for (String slot : slots.keySet()) {
                String name = names.get(i);
                q.a(", ");
                if (slot.equals(name + " " + columns.get(name))) q.id(name);
                else q.a("NULL");
                q.a(" AS _c" + i++);
            }
            EventRows.rowsOf(q, t.getKey(), t.getValue());
            days(q, t.getValue());
        }
        for (List<Object> r : a.rows(q)) {
            // the row's columns in its table's order, as SELECT * of that table gave them
            Map<String, Object> row = new LinkedHashMap<>();
            for (Map.Entry<String, ColumnType> c :
                    catalog.get(String.valueOf(r.get(1))).columns().entrySet()) {
                if (!shown(c.getKey())) continue;
                Object v = r.get(2 + slots.get(slot(c)));
                if (v != null && !(v instanceof String text && text.isEmpty())) row.put(c.getKey(), v);
            }
            rows.putIfAbsent(String.valueOf(r.get(0)), row);
        }
    }

    /**
     * {@code AND toDate(timestamp) IN (the events' UTC days)}: the day is the first column of every data table's
     * sorting key (and the column is UTC), so ClickHouse reads only those days' granules, not every day between the
     * page's oldest and newest event (a person's page of 100 events over 90 days, 10M events: 1.3M rows read against
     * 4.1M). Nothing is added if a time is in another form.
     */
    static void days(Sql q, List<Map<String, Object>> events) {
        TreeSet<String> days = new TreeSet<>();
        for (Map<String, Object> e : events) {
            try {
                Instant t = Instant.parse(String.valueOf(e.get("timestamp")));
                days.add(LocalDate.ofInstant(t, ZoneOffset.UTC).toString());
            } catch (DateTimeParseException ignored) {
                return;
            }
        }
        q.a(" AND toDate(").id("timestamp").a(") IN (");
        int i = 0;
        for (String d : days) (i++ > 0 ? q.a(", ") : q).a("toDate(").v(d).a(")");
        q.a(")");
    }

    private static String slot(Map.Entry<String, ColumnType> column) {
        return column.getKey() + " " + column.getValue();
    }
}
