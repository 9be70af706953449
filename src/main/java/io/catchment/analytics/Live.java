package io.catchment.analytics;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Router;
import io.catchment.schema.TableSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is arriving: the newest events (a tail, with the filters of a selection), the event names with their volume
 * and when each was last seen, and a property's top values (and for numbers, a histogram of 20 equal bins).
 */
final class Live {
    static final Set<String> TAIL_FIELDS = Set.of("event", "type", "filters", "limit");
    static final Set<String> VALUES_FIELDS = Set.of("event", "type", "filters", "property", "days", "limit");
    private static final Duration[] TAIL_WINDOWS = {
        Duration.ofMinutes(15), Duration.ofDays(1), Duration.ofDays(31), Duration.ofDays(3660)
    };
    private final Analytics a;

    Live(Analytics a) {
        this.a = a;
    }

    /**
     * The newest {@code limit} events, newest first. It finds the time of the {@code limit}-th newest event from the
     * time column alone, looking back 15 minutes, then a day, a month and ten years until it has enough (on a busy store
     * the first look reads only the newest part of the table), and then reads the rows from that time on. A store whose
     * newest events are old (history just imported) thus scans one column, not every column of every row: 100M events
     * in DuckDB, 0.6–2.0 s against 3.8–5.9 s (BENCHMARKS.md, session 16).
     */
    Map<String, Object> tail(Req r) {
        r.only(TAIL_FIELDS);
        Map<String, TableSchema> catalog = a.catalog();
        int limit = r.integer("limit", 50, 1, 1000);
        Selection sel =
                r.has("event") || r.has("type") || r.has("filters") ? Selection.parse(r, catalog, a.layout) : null;
        Instant now = a.clock.instant();
        List<Map<String, Object>> events = List.of();
        if (catalog.containsKey(Router.EVENTS)) {
            Instant from = now.minus(TAIL_WINDOWS[TAIL_WINDOWS.length - 1]);
            for (Duration back : TAIL_WINDOWS) {
                Sql q = a.sql();
                q.a("SELECT ").id("timestamp");
                from(q, sel, now.minus(back));
                q.a(" ORDER BY ").id("timestamp").a(" DESC LIMIT 1 OFFSET " + (limit - 1));
                List<Map<String, Object>> nth = EventRows.objects(a.run(q));
                if (!nth.isEmpty()) {
                    from = atOrBefore(nth.get(0).get("timestamp"), now.minus(back));
                    break;
                }
            }
            Sql q = a.sql();
            q.a("SELECT *");
            from(q, sel, from);
            q.a(" ORDER BY ").id("timestamp").a(" DESC, id DESC LIMIT " + limit);
            events = EventRows.objects(a.run(q));
        }
        if (sel == null || sel.table.equals(Router.EVENTS)) EventRows.attachProperties(a, events, catalog);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", events);
        return out;
    }

    private static void from(Sql q, Selection sel, Instant from) {
        if (sel != null) sel.from(q, from, null);
        else q.a(" FROM events WHERE ").id("timestamp").a(" >= ").time(from);
    }

    /**
     * A time the store printed, to the whole second at or before it (a lower bound that keeps every event at that
     * time, whatever precision the store's literals take); {@code otherwise} when it is in a form not known here. Both
     * stores print ISO-8601 instants ({@code DuckDbQueries#value}, {@code ClickHouse#iso}); a time with a space for the
     * {@code T}, or without a zone (UTC), is taken too.
     */
    static Instant atOrBefore(Object time, Instant otherwise) {
        String t = String.valueOf(time).trim().replace(' ', 'T');
        if (t.length() == 19) t += "Z";
        try {
            return java.time.OffsetDateTime.parse(t).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        } catch (java.time.format.DateTimeParseException e) {
            return otherwise;
        }
    }

    /** Event names and kinds over the last {@code days}: how many and when each was last seen, busiest first. */
    Map<String, Object> names(int days) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> names = new ArrayList<>();
        out.put("days", days);
        out.put("events", names);
        if (!a.catalog().containsKey(Router.EVENTS)) return out;
        Sql q = a.sql();
        q.a("SELECT event, type, count(*) AS n, max(")
                .id("timestamp")
                .a(") AS last FROM events WHERE ")
                .id("timestamp")
                .a(" >= ")
                .time(a.clock.instant().minus(Duration.ofDays(days)))
                .a(" GROUP BY event, type ORDER BY n DESC, event LIMIT 5000");
        for (List<Object> r : a.rows(q)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", r.get(0));
            m.put("type", r.get(1));
            m.put("count", Analytics.value(r.get(2)));
            m.put("last_seen", r.get(3));
            names.add(m);
        }
        return out;
    }

    /** A property's most common values among the selection's events of the last {@code days}; numbers get bins too. */
    Map<String, Object> values(Req r) {
        r.only(VALUES_FIELDS);
        Map<String, TableSchema> catalog = a.catalog();
        Selection sel = Selection.parse(r, catalog, a.layout);
        String column = sel.column(r, "property", r.text("property"));
        int days = r.integer("days", 30, 1, 3660);
        int limit = r.integer("limit", 20, 1, 1000);
        Instant from = a.clock.instant().minus(Duration.ofDays(days));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("property", column);
        out.put("type", column == null ? null : sel.type(column).name());
        List<Map<String, Object>> values = new ArrayList<>();
        out.put("values", values);
        if (column == null) return out;
        String col = Sql.quoted(a.sink.dialect(), column);
        Sql q = a.sql();
        q.a("SELECT " + col + " AS v, count(*) AS n");
        sel.from(q, from, null);
        q.a(" AND " + col + " IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT " + limit);
        for (List<Object> row : a.rows(q)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("value", row.get(0));
            m.put("count", Analytics.value(row.get(1)));
            values.add(m);
        }
        ColumnType t = sel.type(column);
        if (t == ColumnType.BIGINT || t == ColumnType.DOUBLE) {
            Sql range = a.sql();
            range.a("SELECT min(" + col + "), max(" + col + "), count(" + col + ")");
            sel.from(range, from, null);
            List<Object> mm = a.rows(range).get(0);
            if (mm.get(0) != null && Analytics.number(mm.get(2)) > 0) {
                double lo = Analytics.number(mm.get(0)), hi = Analytics.number(mm.get(1));
                double width = hi > lo ? (hi - lo) / 20 : 1;
                Sql h = a.sql();
                h.a("SELECT floor((" + col + " - " + lo + ") / " + width + ") AS bin, count(*) AS n");
                sel.from(h, from, null);
                h.a(" AND " + col + " IS NOT NULL GROUP BY bin");
                long[] counts = new long[20];
                for (List<Object> row : a.rows(h)) {
                    int bin = (int) Math.min(19, Math.max(0, Analytics.number(row.get(0))));
                    counts[bin] += (long) Analytics.number(row.get(1));
                }
                List<Map<String, Object>> bins = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("from", Analytics.value(lo + i * width));
                    b.put("to", Analytics.value(i == 19 ? hi : lo + (i + 1) * width));
                    b.put("count", counts[i]);
                    bins.add(b);
                    if (hi == lo) break;
                }
                out.put("histogram", bins);
            }
        }
        return out;
    }
}
