package io.catchment.analytics;

import io.catchment.schema.TableSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retention: people who did the start event form a cohort per day, week or month (local, in the request's zone), by
 * their first start event ever ({@code first_time: true}, the default) or by each period they did it in the range;
 * for each of the {@code periods} that follow, how many of them did the return event in that period. Period 0 is the
 * cohort itself. The overall row weighs each period over the cohorts that have reached it (a period that has not
 * begun yet is left out, not counted as lost).
 */
final class Retention {
    static final Set<String> FIELDS = Set.of(
            "start", "return", "first_time", "interval", "periods", "from", "to", "timezone", "breakdown", "identity");

    private final Analytics a;
    private final Req req;

    Retention(Analytics a, Req req) {
        this.a = a;
        this.req = req.only(FIELDS);
    }

    Map<String, Object> run() {
        Map<String, TableSchema> catalog = a.catalog();
        var zone = TimeRange.zone(req, a.defaultZone.getId());
        TimeRange range = TimeRange.of(req, zone, a.clock.instant());
        Selection start = Selection.parse(req.get("start").only(Selection.FIELDS), catalog, a.layout);
        if (!req.has("return")) throw req.bad("return", "is required");
        Selection ret = Selection.parse(req.get("return").only(Selection.FIELDS), catalog, a.layout);
        boolean first = req.bool("first_time", true);
        Interval iv = Interval.parse(req, "interval", Interval.DAY);
        if (iv == Interval.MINUTE || iv == Interval.HOUR)
            throw req.bad("interval", "retention is by day, week or month");
        int periods = req.integer("periods", iv == Interval.DAY ? 7 : iv == Interval.WEEK ? 12 : 6, 1, 120);
        boolean merge = !"raw".equals(req.choice("identity", "merged", Set.of("merged", "raw")));
        String bdColumn = null;
        int bdLimit = 10;
        if (req.has("breakdown")) {
            Req b = req.get("breakdown").only(Set.of("property", "limit"));
            bdLimit = b.integer("limit", 10, 1, 100);
            bdColumn = start.column(b, "property", b.text("property"));
            if (bdColumn == null) bdColumn = "";
        }
        long[] buckets = range.buckets(iv);
        if (buckets.length > 400) throw req.bad("interval", buckets.length + " cohorts; at most 400");
        long lastCohort = buckets[buckets.length - 1];
        Instant until = iv.start(lastCohort + periods + 1, zone).toInstant();

        // rows: start events (_kind 0) and return events (_kind 1), with their period
        Sql union = a.sql();
        union.a("SELECT " + Identities.pkey(catalog, false) + " AS _pkey, ")
                .epoch("timestamp")
                .a(" AS _t, 0 AS _kind, ");
        if (bdColumn != null && !bdColumn.isEmpty() && start.exists)
            union.a(union.nullableText(Sql.quoted(union.dialect, bdColumn)));
        else union.a(union.nullText());
        union.a(" AS _bd");
        start.from(union, first ? null : range.start(), range.end());
        union.a(" UNION ALL SELECT " + Identities.pkey(catalog, false) + " AS _pkey, ")
                .epoch("timestamp")
                .a(" AS _t, 1 AS _kind, " + union.nullText() + " AS _bd");
        ret.from(union, range.start(), until);
        Sql persons = a.sql();
        Identities.persons(persons, union, "_t, _kind, _bd", merge, catalog);
        Sql periodRows = a.sql();
        periodRows.a("SELECT _person, _t, _kind, _bd, ");
        range.bucket(periodRows, iv, "_t", range.start(), until);
        periodRows.a(" AS _p FROM (").a(persons).a(") AS p");

        // one row per (person, cohort)
        Sql cohorts = a.sql();
        if (first) {
            cohorts.a("SELECT _person, _c, _bd, _r FROM (SELECT _person, " + cohorts.minIf("_t", "_kind = 0")
                            + " AS _f, "
                            + cohorts.minIf("_p", "_kind = 0") + " AS _c, " + cohorts.argMinIf("_bd", "_t", "_kind = 0")
                            + " AS _bd, " + cohorts.arrayIf("_p", "_kind = 1") + " AS _r FROM (")
                    .a(periodRows)
                    .a(") AS pr GROUP BY _person) AS pp WHERE _f >= " + range.startEpoch() + " AND _f < "
                            + range.endEpoch());
        } else {
            Sql per = a.sql();
            per.a("SELECT _person, " + per.arrayIf("_p", "_kind = 0") + " AS _cs, "
                            + per.argMinIf("_bd", "_t", "_kind = 0") + " AS _bd, " + per.arrayIf("_p", "_kind = 1")
                            + " AS _r FROM (")
                    .a(periodRows)
                    .a(") AS pr GROUP BY _person");
            cohorts.a("SELECT _person, "
                            + cohorts.explode(cohorts.clickhouse() ? "arrayDistinct(_cs)" : "list_distinct(_cs)")
                            + " AS _c, _bd, _r FROM (")
                    .a(per)
                    .a(") AS pp WHERE length(_cs) > 0");
        }
        List<String> top = bdColumn == null ? List.of() : a.topValues(cohorts, null, bdLimit);
        Sql group = a.sql();
        if (bdColumn == null) group.a("''");
        else group.topOrOther("_bd", top);
        // one pass: each (person, cohort) row gives k = 0 (the cohort) and k for each later period with a return
        Sql q = a.sql();
        q.a("SELECT _c, _g, _k, count(*) AS _n FROM (SELECT _c, _g, ")
                .a(q.explode(q.zeroAndOffsets(q.distinctBetween("_r", "_c + 1", "_c + " + periods), "_c")))
                .a(" AS _k FROM (SELECT _c, ")
                .a(group)
                .a(" AS _g, _r FROM (")
                .a(cohorts)
                .a(") AS c1) AS c2) AS r GROUP BY _c, _g, _k");
        Map<String, Map<Long, long[]>> grid = new LinkedHashMap<>();
        for (List<Object> row : a.rows(q)) {
            String g = row.get(1) == null ? null : row.get(1).toString();
            long c = (long) Analytics.number(row.get(0));
            int k = (int) Analytics.number(row.get(2));
            if (c < buckets[0] || c > lastCohort || k < 0 || k > periods) continue;
            grid.computeIfAbsent(g, x -> new java.util.TreeMap<>()).computeIfAbsent(c, x -> new long[periods + 1])[k] =
                    (long) Analytics.number(row.get(3));
        }
        Instant now = a.clock.instant();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("timezone", zone.getId());
        out.put("interval", iv.label());
        out.put("from", range.start().atZone(zone).toOffsetDateTime().toString());
        out.put("to", range.end().atZone(zone).toOffsetDateTime().toString());
        out.put("first_time", first);
        out.put("periods", periods);
        if (bdColumn == null) {
            out.putAll(table(grid.getOrDefault("", Map.of()), buckets, iv, periods, zone, now));
        } else {
            List<String> order = new ArrayList<>(top);
            if (grid.containsKey(Trends.OTHER)) order.add(Trends.OTHER);
            if (grid.containsKey(null)) order.add(null);
            List<Map<String, Object>> bd = new ArrayList<>();
            for (String g : order) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("value", g);
                m.putAll(table(grid.getOrDefault(g, Map.of()), buckets, iv, periods, zone, now));
                bd.add(m);
            }
            out.put("breakdown", bd);
        }
        return out;
    }

    private static Map<String, Object> table(
            Map<Long, long[]> rows, long[] buckets, Interval iv, int periods, java.time.ZoneId zone, Instant now) {
        List<Map<String, Object>> cohorts = new ArrayList<>();
        long[] sum = new long[periods + 1];
        long[] base = new long[periods + 1];
        for (long c : buckets) {
            long[] r = rows.getOrDefault(c, new long[periods + 1]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cohort", iv.start(c, zone).toOffsetDateTime().toString());
            m.put("size", r[0]);
            List<Long> retained = new ArrayList<>();
            List<Double> percent = new ArrayList<>();
            for (int k = 0; k <= periods; k++) {
                boolean begun = !iv.start(c + k, zone).toInstant().isAfter(now);
                retained.add(begun ? r[k] : null);
                percent.add(!begun || r[0] == 0 ? null : 100.0 * r[k] / r[0]);
                if (begun) {
                    sum[k] += r[k];
                    base[k] += r[0];
                }
            }
            m.put("retained", retained);
            m.put("percent", percent);
            cohorts.add(m);
        }
        Map<String, Object> overall = new LinkedHashMap<>();
        List<Long> retained = new ArrayList<>();
        List<Double> percent = new ArrayList<>();
        for (int k = 0; k <= periods; k++) {
            retained.add(base[k] == 0 ? null : sum[k]);
            percent.add(base[k] == 0 ? null : 100.0 * sum[k] / base[k]);
        }
        overall.put("size", base[0]);
        overall.put("retained", retained);
        overall.put("percent", percent);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cohorts", cohorts);
        out.put("overall", overall);
        return out;
    }
}
