package io.catchment.analytics;

import io.catchment.schema.TableSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Funnels: 2 to 10 ordered steps, each an event with filters. A person enters at their first step-1 event in the
 * range and converts at step k when they do step k's event after step k-1, within {@code window} of entering. Order
 * {@code loose} allows other events in between; {@code strict} requires step k to be the person's very next event
 * after step k-1. Per step: people, conversion from step 1 and from the step before, drop-off and the median time from
 * the step before; overall: the median time to convert and its distribution. A breakdown groups people by a property
 * of their step-1 event; {@code dropped_at: k} lists people who reached step k but not step k+1.
 *
 * <p>One statement: the steps' rows (one UNION ALL), people merged, then per person the entry time and each later
 * step's times as an array, and step by step the first time within the window after the step before.
 */
final class Funnels {
    static final Set<String> FIELDS = Set.of(
            "steps",
            "window",
            "order",
            "from",
            "to",
            "timezone",
            "breakdown",
            "identity",
            "dropped_at",
            "limit",
            "session");
    static final Set<String> STEP_FIELDS = Set.of("event", "type", "filters", "label");
    static final long[] EDGES = {60, 300, 900, 3600, 14_400, 86_400, 259_200, 604_800};
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhdw])");

    private final Analytics a;
    private final Req req;

    Funnels(Analytics a, Req req) {
        this.a = a;
        this.req = req.only(FIELDS);
    }

    static long window(Req r, String key, long dflt) {
        if (!r.has(key)) return dflt;
        if (r.get(key).node().isIntegralNumber() && r.get(key).node().longValue() > 0)
            return r.get(key).node().longValue();
        Matcher m = DURATION.matcher(r.get(key).node().asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw r.bad(key, "must be seconds or a duration like 30m, 24h, 7d, 2w");
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86_400;
            default -> 604_800;
        };
        if (n <= 0 || n > 366 * 86_400L / unit) throw r.bad(key, "must be from 1 second to 366 days");
        return n * unit;
    }

    Map<String, Object> run() {
        Map<String, TableSchema> catalog = a.catalog();
        var zone = TimeRange.zone(req, a.defaultZone.getId());
        TimeRange range = TimeRange.of(req, zone, a.clock.instant());
        List<Req> rs = req.list("steps", 10);
        if (rs.size() < 2) throw req.bad("steps", "a funnel has 2 to 10 steps");
        List<Selection> steps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Req r : rs) {
            r.only(STEP_FIELDS);
            Selection sel = Selection.parse(r, catalog, a.layout);
            steps.add(sel);
            labels.add(r.text("label", sel.label()));
        }
        long window = window(req, "window", 7 * 86_400L);
        boolean strict = "strict".equals(req.choice("order", "loose", Set.of("loose", "strict")));
        // per session: each step's event must carry the session property, and all steps share one session
        List<String> sessions = null;
        if (req.has("session")) {
            if (strict) throw req.bad("session", "per-session funnels take order loose");
            String property = req.text("session");
            sessions = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) sessions.add(steps.get(i).column(rs.get(i), "session", property));
        }
        boolean merge = !"raw".equals(req.choice("identity", "merged", Set.of("merged", "raw")));
        String bdColumn = null;
        int bdLimit = 10;
        if (req.has("breakdown")) {
            Req b = req.get("breakdown").only(Set.of("property", "limit"));
            bdLimit = b.integer("limit", 10, 1, 100);
            bdColumn = steps.get(0).column(b, "property", b.text("property"));
            if (bdColumn == null) bdColumn = "";
        }
        int n = steps.size();
        int droppedAt = req.integer("dropped_at", 0, 0, n - 1);
        int limit = req.integer("limit", 100, 1, 10_000);

        // people by key for counting, by id when they are listed
        Sql people = perPerson(steps, sessions, range, window, strict, bdColumn, merge, catalog, droppedAt > 0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("timezone", zone.getId());
        out.put("from", range.start().atZone(zone).toOffsetDateTime().toString());
        out.put("to", range.end().atZone(zone).toOffsetDateTime().toString());
        out.put("window_seconds", window);
        out.put("order", strict ? "strict" : "loose");
        out.put("unit", sessions == null ? "person" : "session");
        if (droppedAt > 0) {
            Sql q = a.sql();
            q.a("SELECT _person FROM (")
                    .a(people)
                    .a(") AS f WHERE t" + droppedAt + " > 0 AND t" + (droppedAt + 1))
                    .a(" = 0 ORDER BY _person LIMIT " + limit);
            List<Object> ids = new ArrayList<>();
            for (List<Object> row : a.rows(q)) ids.add(row.get(0));
            out.put("dropped_at", droppedAt);
            out.put("people", ids);
            return out;
        }
        List<String> top = bdColumn == null ? List.of() : a.topValues(people, null, bdLimit);
        Sql q = a.sql();
        q.a("SELECT ");
        if (bdColumn != null) q.topOrOther("_bd", top);
        else q.a("''");
        q.a(" AS _g, count(*) AS n1");
        for (int k = 2; k <= n; k++) {
            q.a(", sum(CASE WHEN t" + k + " > 0 THEN 1 ELSE 0 END) AS n" + k);
            q.a(", " + q.quantileIf(0.5, "t" + k + " - t" + (k - 1), "t" + k + " > 0") + " AS m" + k);
        }
        q.a(", " + q.quantileIf(0.5, "t" + n + " - t1", "t" + n + " > 0") + " AS mc");
        long lo = 0;
        for (int i = 0; i <= EDGES.length; i++) {
            String d = "t" + n + " - t1";
            q.a(", sum(CASE WHEN t" + n + " > 0 AND " + d + " >= " + lo
                    + (i < EDGES.length ? " AND " + d + " < " + EDGES[i] : "") + " THEN 1 ELSE 0 END) AS h" + i);
            if (i < EDGES.length) lo = EDGES[i];
        }
        q.a(" FROM (").a(people).a(") AS f GROUP BY _g");
        Map<String, List<Object>> groups = new LinkedHashMap<>();
        for (List<Object> row : a.rows(q))
            groups.put(row.get(0) == null ? null : row.get(0).toString(), row);
        if (bdColumn == null) {
            List<Object> row = groups.get("");
            out.putAll(result(row, labels, n));
        } else {
            List<Map<String, Object>> breakdown = new ArrayList<>();
            List<String> order = new ArrayList<>(top);
            if (groups.containsKey(Trends.OTHER)) order.add(Trends.OTHER);
            if (groups.containsKey(null)) order.add(null);
            for (String g : order) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("value", g);
                m.putAll(result(groups.get(g), labels, n));
                breakdown.add(m);
            }
            out.put("breakdown", breakdown);
        }
        return out;
    }

    private static Map<String, Object> result(List<Object> row, List<String> labels, int n) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> steps = new ArrayList<>();
        long first = row == null ? 0 : (long) Analytics.number(row.get(1));
        long prev = first;
        for (int k = 1; k <= n; k++) {
            long count = row == null ? 0 : (long) Analytics.number(row.get(k == 1 ? 1 : 2 * k - 2));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", k);
            s.put("label", labels.get(k - 1));
            s.put("count", count);
            s.put("conversion", first == 0 ? null : (double) count / first);
            s.put("from_previous", prev == 0 ? null : (double) count / prev);
            s.put("dropped", prev - count);
            s.put("median_seconds_from_previous", k == 1 || row == null ? null : Analytics.value(row.get(2 * k - 1)));
            steps.add(s);
            prev = count;
        }
        out.put("steps", steps);
        int base = 2 * n;
        out.put("median_seconds_to_convert", row == null ? null : Analytics.value(row.get(base)));
        List<Map<String, Object>> dist = new ArrayList<>();
        long lo = 0;
        for (int i = 0; i <= EDGES.length; i++) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("from_seconds", lo);
            b.put("to_seconds", i < EDGES.length ? EDGES[i] : null);
            b.put("count", row == null ? 0 : (long) Analytics.number(row.get(base + 1 + i)));
            dist.add(b);
            if (i < EDGES.length) lo = EDGES[i];
        }
        out.put("time_to_convert", dist);
        return out;
    }

    /**
     * One row per person (or person and session) who entered: {@code _person}, {@code _bd}, {@code t1}..{@code tn}
     * (0: not reached).
     */
    private Sql perPerson(
            List<Selection> steps,
            List<String> sessions,
            TimeRange range,
            long window,
            boolean strict,
            String bdColumn,
            boolean merge,
            Map<String, TableSchema> catalog,
            boolean named) {
        int n = steps.size();
        String pkey = Identities.pkey(catalog, named);
        // the breakdown and session columns ride along only when asked for: at 100M events an always-null column
        // through the union, the join and the per-person arrays doubled the statement's time
        boolean bd = bdColumn != null;
        Sql union = a.sql();
        java.time.Instant until = range.end().plusSeconds(window);
        for (int k = 1; k <= n; k++) {
            Selection sel = steps.get(k - 1);
            if (k > 1) union.a(" UNION ALL ");
            union.a("SELECT " + pkey + " AS _pkey, ").epoch("timestamp").a(" AS _t, " + k + " AS _step");
            if (bd) {
                boolean has = k == 1 && !bdColumn.isEmpty() && sel.exists;
                union.a(", " + (has ? union.nullableText(Sql.quoted(union.dialect, bdColumn)) : union.nullText())
                        + " AS _bd");
            }
            if (sessions != null) {
                String session = sessions.get(k - 1);
                union.a(", "
                        + (session == null ? union.nullText() : union.nullableText(Sql.quoted(union.dialect, session)))
                        + " AS _sess");
            }
            sel.from(union, range.start(), k == 1 ? range.end() : until);
        }
        if (strict) {
            union.a(" UNION ALL SELECT " + pkey + " AS _pkey, ")
                    .epoch("timestamp")
                    .a(" AS _t, 0 AS _step" + (bd ? ", " + union.nullText() + " AS _bd" : "") + " FROM events WHERE ")
                    .id("timestamp")
                    .a(" >= ")
                    .time(range.start())
                    .a(" AND ")
                    .id("timestamp")
                    .a(" < ")
                    .time(until);
        }
        Sql persons = a.sql();
        Identities.persons(
                persons,
                union,
                "_t, _step" + (bd ? ", _bd" : "") + (sessions != null ? ", _sess" : ""),
                merge,
                catalog,
                named);
        Sql level = a.sql();
        level.a("SELECT _person, " + level.minIf("_t", "_step = 1") + " AS t1");
        if (bd) level.a(", " + level.argMinIf("_bd", "_t", "_step = 1") + " AS _bd");
        for (int k = 2; k <= n; k++) level.a(", " + level.arrayIf("_t", "_step = " + k) + " AS a" + k);
        if (strict) level.a(", " + level.arrayIf("_t", "_step = 0") + " AS a0");
        level.a(" FROM (").a(persons).a(") AS p");
        level.a(sessions == null ? " GROUP BY _person" : " WHERE _sess IS NOT NULL GROUP BY _person, _sess");
        Sql prev = a.sql().a("SELECT * FROM (").a(level).a(") AS l1 WHERE t1 > 0");
        for (int k = 2; k <= n; k++) {
            Sql next = a.sql();
            String lo = "t" + (k - 1);
            String hi = "t1 + " + window;
            String t = next.firstBetween("a" + k, lo, hi);
            if (strict) {
                // the person's next event after step k-1 must be step k: nothing else in between
                String between = next.distinctBetween("a0", lo + " + 1", t + " - 1");
                t = "CASE WHEN length(" + between + ") = 0 THEN " + t + " ELSE 0 END";
            }
            next.a("SELECT *, CASE WHEN " + lo + " = 0 THEN 0 ELSE " + t + " END AS t" + k + " FROM (")
                    .a(prev)
                    .a(") AS l" + k);
            prev = next;
        }
        return prev;
    }
}
