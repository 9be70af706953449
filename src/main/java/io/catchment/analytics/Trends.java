package io.catchment.analytics;

import io.catchment.schema.ColumnType;
import io.catchment.schema.TableSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trends: one or more series over time buckets. A series counts events ({@code total}), people ({@code uniques};
 * {@code dau}, {@code wau}, {@code mau}: distinct people over the rolling 1, 7 or 30 local days ending on each day) or
 * aggregates a numeric property ({@code sum}, {@code avg}, {@code min}, {@code max}, {@code median}, {@code p90},
 * {@code p99}). A breakdown by a property or a user trait keeps the top values (by events) and folds the rest into
 * {@code $other}; {@code compare: "previous"} adds the same series over the period before; formulas combine series by
 * letter ({@code "A / B * 100"}). One statement per series (two with a breakdown).
 */
final class Trends {
    static final Set<String> FIELDS = Set.of(
            "series",
            "interval",
            "from",
            "to",
            "timezone",
            "breakdown",
            "compare",
            "formulas",
            "identity",
            "approximate");
    static final Set<String> SERIES_FIELDS = Set.of("event", "type", "filters", "measure", "property", "label");
    static final Set<String> MEASURES =
            Set.of("total", "uniques", "dau", "wau", "mau", "sum", "avg", "min", "max", "median", "p90", "p99");
    static final String OTHER = "$other";

    private final Analytics a;
    private final Req req;
    /** People counted with a HyperLogLog sketch (a few per cent off) instead of exactly. */
    private boolean approximate;
    /** This request's reads through the bucket cache (one observation of the links per request). */
    private CachedSeries cached;

    Trends(Analytics a, Req req) {
        this.a = a;
        this.req = req.only(FIELDS);
    }

    /** A series; {@code spec} is its request without its label (what its answers depend on). */
    record Series(String key, String label, Selection sel, String measure, String column, String spec) {}

    record Breakdown(String column, String trait, int limit) {}

    Map<String, Object> run() {
        Map<String, TableSchema> catalog = a.catalog();
        var zone = TimeRange.zone(req, a.defaultZone.getId());
        TimeRange range = TimeRange.of(req, zone, a.clock.instant());
        List<Req> rs = req.list("series", 12);
        if (rs.isEmpty()) throw req.bad("series", "is required: at least one series");
        List<Series> series = new ArrayList<>();
        boolean rolling = false;
        for (int i = 0; i < rs.size(); i++) {
            Req r = rs.get(i).only(SERIES_FIELDS);
            Selection sel = Selection.parse(r, catalog, a.layout);
            String measure = r.choice("measure", "total", MEASURES);
            String column = null;
            if (Set.of("sum", "avg", "min", "max", "median", "p90", "p99").contains(measure)) {
                column = sel.column(r, "property", r.text("property"));
                ColumnType t = sel.type(column);
                if (t != ColumnType.BIGINT && t != ColumnType.DOUBLE)
                    throw r.bad("property", "'" + column + "' is " + t + "; " + measure + " needs a number column");
            } else if (r.has("property")) {
                throw r.bad("property", "goes with sum, avg, min, max, median, p90 and p99 only");
            }
            rolling |= Set.of("dau", "wau", "mau").contains(measure);
            String key = String.valueOf((char) ('A' + i));
            String label = r.text("label", sel.label() + " · " + measure);
            com.fasterxml.jackson.databind.node.ObjectNode spec = r.node().deepCopy();
            spec.remove("label");
            series.add(new Series(key, label, sel, measure, column, spec.toString()));
        }
        Interval iv = Interval.parse(req, "interval", Interval.DAY);
        if (rolling && iv != Interval.DAY) throw req.bad("interval", "dau, wau and mau are daily: use interval day");
        long[] buckets = range.buckets(iv);
        if (buckets.length > 5000)
            throw req.bad(
                    "interval", buckets.length + " buckets; at most 5000 (a coarser interval or a shorter range)");
        Breakdown bd = breakdown(series);
        boolean merge = !"raw".equals(req.choice("identity", "merged", Set.of("merged", "raw")));
        String compare = req.choice("compare", null, Set.of("previous"));
        approximate = req.bool("approximate", false);

        Map<String, Object> out = new LinkedHashMap<>();
        if (approximate) out.put("approximate", true);
        out.put("timezone", zone.getId());
        out.put("interval", iv.label());
        out.put("from", range.start().atZone(zone).toOffsetDateTime().toString());
        out.put("to", range.end().atZone(zone).toOffsetDateTime().toString());
        List<String> times = new ArrayList<>();
        for (long b : buckets) times.add(iv.start(b, zone).toOffsetDateTime().toString());
        out.put("buckets", times);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, double[]> byKey = new HashMap<>();
        for (Series s : series) results.addAll(series(s, range, iv, buckets, bd, merge, catalog, byKey));
        out.put("series", results);
        if (compare != null) {
            TimeRange prev = range.shifted(Duration.between(range.start(), range.end()));
            long[] pb = prev.buckets(iv);
            List<Map<String, Object>> previous = new ArrayList<>();
            for (Series s : series) previous.addAll(series(s, prev, iv, pb, bd, merge, catalog, new HashMap<>()));
            out.put("previous", previous);
        }
        List<Map<String, Object>> formulas = new ArrayList<>();
        List<Req> fs = req.list("formulas", 10);
        for (Req f : fs) {
            f.only(Set.of("formula", "label"));
            if (bd != null) throw f.bad("formula", "formulas work on series without a breakdown");
            Formula formula = Formula.parse(f, "formula", byKey.keySet());
            double[] values = formula.apply(byKey, buckets.length);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", f.text("label", formula.text()));
            m.put("formula", formula.text());
            m.put("data", TrendsData.data(times, values));
            formulas.add(m);
        }
        if (!formulas.isEmpty()) out.put("formulas", formulas);
        return out;
    }

    private Breakdown breakdown(List<Series> series) {
        if (!req.has("breakdown")) return null;
        Req b = req.get("breakdown").only(Set.of("property", "trait", "limit"));
        int limit = b.integer("limit", 10, 1, 100);
        if (b.has("trait")) return new Breakdown(null, b.text("trait"), limit);
        String property = b.text("property");
        String column = null;
        for (Series s : series) {
            String c = s.sel.column(b, "property", property);
            if (column != null && c != null && !c.equals(column))
                throw b.bad("property", "names different columns in the series' tables");
            if (c != null) column = c;
        }
        return new Breakdown(column == null ? property : column, null, limit);
    }

    private List<Map<String, Object>> series(
            Series s,
            TimeRange range,
            Interval iv,
            long[] buckets,
            Breakdown bd,
            boolean merge,
            Map<String, TableSchema> catalog,
            Map<String, double[]> byKey) {
        int window = switch (s.measure) {
            case "wau" -> 7;
            case "mau" -> 30;
            default -> 1;
        };
        // only counting people needs to know who is who
        boolean people = Set.of("uniques", "dau", "wau", "mau").contains(s.measure) || (bd != null && bd.trait != null);
        if (CachedSeries.applies(a, catalog, bd != null)) {
            if (cached == null) cached = new CachedSeries(a, catalog);
            String key = s.spec + "|" + s.measure + "|" + iv + "|"
                    + range.zone().getId() + "|" + (merge && people) + "|" + approximate + "|" + a.layout;
            List<List<Object>> rows = cached.rows(
                    key,
                    range,
                    iv,
                    buckets,
                    window,
                    merge && people,
                    (part, partBuckets) -> a.rows(
                            statement(s, part, iv, partBuckets, null, List.of(), merge && people, catalog, window)));
            return TrendsData.collect(s, rows, buckets, iv, range, null, byKey);
        }
        List<String> values = List.of();
        if (bd != null) {
            // the top values by events: who is who does not matter for that, unless the value is a person's trait
            Sql counted = rows(s, range, from(range, window), bd, bd.trait != null && merge && people, catalog);
            values = a.topValues(counted, "_t >= " + range.startEpoch() + " AND _t < " + range.endEpoch(), bd.limit);
        }
        Sql q = statement(s, range, iv, buckets, bd, values, merge && people, catalog, window);
        return TrendsData.collect(s, a.rows(q), buckets, iv, range, bd != null ? values : null, byKey);
    }

    /** Where a series' rows start: {@code window - 1} local days before the range for a rolling count. */
    private static Instant from(TimeRange range, int window) {
        return window > 1
                ? range.start().atZone(range.zone()).minusDays(window - 1).toInstant()
                : range.start();
    }

    /** The series' statement over {@code range} without a breakdown: rows of {@code _b, _g, _v}. */
    private Sql statement(
            Series s,
            TimeRange range,
            Interval iv,
            long[] buckets,
            Breakdown bd,
            List<String> values,
            boolean merge,
            Map<String, TableSchema> catalog,
            int window) {
        Instant from = from(range, window);
        Sql rows = rows(s, range, from, bd, merge, catalog);
        return window > 1
                ? rolling(range, from, rows, bd, values, window, buckets)
                : aggregate(s, range, iv, rows, bd, values);
    }

    /** Rows of the series: {@code _person}, {@code _t} (epoch seconds), {@code _x} (the measured value), {@code _bd}. */
    private Sql rows(
            Series s, TimeRange range, Instant from, Breakdown bd, boolean merge, Map<String, TableSchema> catalog) {
        Sql inner = a.sql();
        inner.a("SELECT " + Identities.pkey(catalog, false) + " AS _pkey, ")
                .epoch("timestamp")
                .a(" AS _t, ");
        if (s.column != null) inner.id(s.column);
        else inner.a("NULL");
        inner.a(" AS _x");
        if (bd != null && bd.column != null) {
            inner.a(", ");
            if (s.sel.exists && s.sel.columns.has(bd.column))
                inner.a(inner.asText(Sql.quoted(inner.dialect, bd.column)));
            else inner.a("NULL");
            inner.a(" AS _bd");
        }
        s.sel.from(inner, from, range.end());
        Sql persons = a.sql();
        Identities.persons(persons, inner, "_t, _x" + (bd != null && bd.column != null ? ", _bd" : ""), merge, catalog);
        if (bd == null || bd.trait == null) return persons;
        Sql withTrait = a.sql();
        withTrait.a("SELECT _person, _t, _x, ");
        withTrait.trait("_traits", bd.trait);
        withTrait
                .a(" AS _bd FROM (")
                .a(persons)
                .a(") AS p")
                .a(withTrait.join(true))
                .a("(");
        if (withTrait.clickhouse()) {
            withTrait.a("SELECT " + uid(catalog, true)
                    + " AS _uid, argMax(traits, version) AS _traits FROM users GROUP BY user_id");
        } else {
            withTrait.a("SELECT " + uid(catalog, false) + " AS _uid, traits AS _traits FROM users");
        }
        withTrait.a(") AS u ON u._uid = p._person");
        return withTrait;
    }

    /** The users table's id as the rows' {@code _person} is: its person key when the store keeps them. */
    private static String uid(Map<String, TableSchema> catalog, boolean clickhouse) {
        return Identities.keyed(catalog) ? io.catchment.schema.PersonKey.sql("user_id", clickhouse) : "user_id";
    }

    private Sql aggregate(Series s, TimeRange range, Interval iv, Sql rows, Breakdown bd, List<String> values) {
        Sql q = a.sql();
        q.a("SELECT _b, ");
        group(q, bd, values);
        q.a(" AS _g, " + measure(q, s.measure) + " AS _v FROM (SELECT ");
        range.bucket(q, iv, "_t", range.start(), range.end());
        q.a(" AS _b, _person, _x" + (bd != null ? ", _bd" : "") + " FROM (")
                .a(rows)
                .a(") AS r");
        q.a(" WHERE _t >= " + range.startEpoch() + " AND _t < " + range.endEpoch() + ") AS x GROUP BY _b, _g");
        return q;
    }

    /** Distinct (day, person) pairs, each counted on the {@code window} days that end with its day. */
    private Sql rolling(
            TimeRange range, Instant from, Sql rows, Breakdown bd, List<String> values, int window, long[] buckets) {
        Sql q = a.sql();
        q.a("SELECT _b, _g, " + people(q) + " AS _v FROM (SELECT _d + ");
        q.a(q.explodeRange(window));
        q.a(" AS _b, _g, _person FROM (SELECT DISTINCT ");
        range.bucket(q, Interval.DAY, "_t", from, range.end());
        q.a(" AS _d, ");
        group(q, bd, values);
        q.a(" AS _g, _person FROM (").a(rows).a(") AS r) AS d) AS x");
        q.a(" WHERE _b >= " + buckets[0] + " AND _b <= " + buckets[buckets.length - 1] + " GROUP BY _b, _g");
        return q;
    }

    private void group(Sql q, Breakdown bd, List<String> values) {
        if (bd == null) q.a("''");
        else q.topOrOther("_bd", values);
    }

    private String people(Sql q) {
        if (!approximate) return q.countDistinct("_person");
        return q.clickhouse() ? "uniqCombined(_person)" : "approx_count_distinct(_person)";
    }

    private String measure(Sql q, String m) {
        return switch (m) {
            case "total" -> "count(*)";
            case "uniques", "dau" -> people(q);
            case "sum" -> "sum(_x)";
            case "avg" -> "avg(_x)";
            case "min" -> "min(_x)";
            case "max" -> "max(_x)";
            case "median" -> q.quantile(0.5, "_x");
            case "p90" -> q.quantile(0.9, "_x");
            case "p99" -> q.quantile(0.99, "_x");
            default -> throw new IllegalStateException(m);
        };
    }
}
