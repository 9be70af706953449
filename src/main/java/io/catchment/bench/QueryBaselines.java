package io.catchment.bench;

import io.catchment.analytics.Analytics;
import io.catchment.event.EventJson;
import io.catchment.schema.PersonKey;
import io.catchment.sink.Sink;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

/**
 * The reports {@code bench-query} times, each with the same report written by hand as one SQL statement, as an
 * analyst who knows the store would write it (identities merged the same way, so both give the same answer), and the
 * issue's target for DuckDB at 10M events. Ranges are whole UTC days: the {@code days} before {@code end}'s day and
 * that day.
 */
final class QueryBaselines {
    record Report(String name, Consumer<Analytics> layer, String sql, long targetMillis) {}

    private final Sink.Dialect dialect;
    private final LocalDate from;
    private final LocalDate to;

    QueryBaselines(Sink.Dialect dialect, Instant end, int days) {
        this.dialect = dialect;
        this.to = LocalDate.ofInstant(end, ZoneOffset.UTC);
        this.from = to.minusDays(days - 1);
    }

    private String range() {
        return "\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"timezone\":\"UTC\"";
    }

    private static Consumer<Analytics> report(String kind, String json) {
        return a -> {
            try {
                a.report(kind, EventJson.MAPPER.readTree(json));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** The layer's DAU report over the range, exact or with a sketch. */
    private Consumer<Analytics> dau(boolean approximate) {
        return report(
                "trends",
                "{\"series\":[{\"type\":\"any\",\"measure\":\"dau\"}],\"approximate\":" + approximate + "," + range()
                        + "}");
    }

    private String a() {
        return "TIMESTAMPTZ '" + from + " 00:00:00+00'";
    }

    private String b() {
        return "TIMESTAMPTZ '" + to.plusDays(1) + " 00:00:00+00'";
    }

    private static final String IDS = "ids AS (SELECT alias_key AS alias, arg_min(person_key, timestamp) AS person "
            + "FROM identity_links GROUP BY alias_key)";

    List<Report> reports() {
        if (dialect == Sink.Dialect.CLICKHOUSE) return clickhouse();
        return List.of(
                new Report(
                        "DAU, 90 days",
                        dau(false),
                        "WITH " + IDS + " SELECT CAST(e.timestamp AS DATE) AS d, count(DISTINCT coalesce(ids.person, "
                                + "e.person_key)) FROM events e LEFT JOIN ids ON ids.alias = "
                                + "e.person_key WHERE e.timestamp >= " + a()
                                + " AND e.timestamp < "
                                + b() + " GROUP BY d ORDER BY d",
                        500),
                new Report(
                        "DAU, 90 days, approximate",
                        dau(true),
                        "WITH " + IDS + " SELECT CAST(epoch(e.timestamp) AS BIGINT) // 86400 AS d, "
                                + "approx_count_distinct(coalesce(ids.person, e.person_key)) FROM events e LEFT JOIN ids ON "
                                + "ids.alias = e.person_key WHERE e.timestamp >= " + a() + " AND e.timestamp < " + b()
                                + " GROUP BY d ORDER BY d",
                        500),
                new Report(
                        "uniques by plan (top 10), 90 days",
                        report(
                                "trends",
                                "{\"series\":[{\"event\":\"event_1\",\"measure\":\"uniques\"}],"
                                        + "\"breakdown\":{\"property\":\"plan\"}," + range() + "}"),
                        "WITH " + IDS
                                + ", e AS (SELECT CAST(t.timestamp AS DATE) AS d, coalesce(ids.person, "
                                + "t.person_key) AS p, t.properties_plan AS v FROM event_1 t LEFT JOIN ids ON "
                                + "ids.alias = t.person_key WHERE t.event = 'event_1' AND "
                                + "t.timestamp >= " + a() + " AND t.timestamp < " + b() + "), top AS (SELECT v FROM e "
                                + "WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC LIMIT 10) SELECT d, CASE WHEN v "
                                + "IS NULL THEN NULL WHEN v IN (SELECT v FROM top) THEN v ELSE '$other' END AS g, "
                                + "count(DISTINCT p) FROM e GROUP BY d, g",
                        1000),
                new Report(
                        "funnel, 3 steps, 7-day window",
                        report(
                                "funnels",
                                "{\"steps\":[{\"event\":\"event_0\"},{\"event\":\"event_1\"},"
                                        + "{\"event\":\"event_2\"}],\"window\":\"7d\"," + range() + "}"),
                        "WITH " + IDS + ", s AS (SELECT coalesce(ids.person, x.k) AS p, x.t, x.step FROM ("
                                + step("event_0", 1, "") + " UNION ALL " + step("event_1", 2, " + INTERVAL 7 DAY")
                                + " UNION ALL " + step("event_2", 3, " + INTERVAL 7 DAY") + ") x LEFT JOIN ids ON "
                                + "ids.alias = x.k), f AS (SELECT p, min(t) FILTER (WHERE step = 1) AS t1, list(t) "
                                + "FILTER (WHERE step = 2) AS a2, list(t) FILTER (WHERE step = 3) AS a3 FROM s GROUP BY "
                                + "p), g AS (SELECT t1, a3, list_min(list_filter(a2, lambda x: x >= t1 AND x <= t1 + "
                                + "604800)) AS t2 FROM f WHERE t1 IS NOT NULL), h AS (SELECT t1, t2, "
                                + "list_min(list_filter(a3, lambda x: x >= t2 AND x <= t1 + 604800)) AS t3 FROM g) "
                                + "SELECT count(*), count(t2), count(t3), median(t3 - t1) FROM h",
                        1500),
                new Report(
                        "retention, weekly, 12 weeks",
                        report(
                                "retention",
                                "{\"start\":{\"event\":\"event_0\"},\"return\":{\"event\":\"event_1\"},"
                                        + "\"interval\":\"week\",\"periods\":12," + range() + "}"),
                        "WITH " + IDS + ", s AS (SELECT coalesce(ids.person, x.k) AS p, x.t, x.w, x.kind FROM (SELECT "
                                + "person_key AS k, timestamp AS t, CAST(date_trunc('week', "
                                + "timestamp) AS DATE) AS w, 0 AS kind FROM event_0 WHERE event = 'event_0' AND timestamp < "
                                + b() + " UNION ALL SELECT person_key, timestamp, "
                                + "CAST(date_trunc('week', timestamp) AS DATE), 1 FROM event_1 WHERE event = 'event_1' AND "
                                + "timestamp >= " + a() + " AND timestamp < " + b()
                                + " + INTERVAL 13 WEEK) x LEFT JOIN "
                                + "ids ON ids.alias = x.k), per AS (SELECT p, min(t) FILTER (WHERE kind = 0) AS f, "
                                + "min(w) FILTER (WHERE kind = 0) AS c, list(DISTINCT w) FILTER (WHERE kind = 1) AS r "
                                + "FROM s GROUP BY p), coh AS (SELECT c, r FROM per WHERE f >= " + a() + " AND f < "
                                + b() + "), ret AS (SELECT c, unnest(list_filter(r, lambda x: x > c AND x <= c + "
                                + "INTERVAL 12 WEEK)) AS x FROM coh) SELECT c, 0 AS k, count(*) FROM coh GROUP BY c "
                                + "UNION ALL SELECT c, datediff('week', c, x) AS k, count(*) FROM ret GROUP BY c, k",
                        1500),
                new Report(
                        "one person's newest 100 events",
                        a -> a.userEvents("user_42", 100, null),
                        withProperties(
                                "SELECT * FROM events WHERE " + DUCKDB_USER_42
                                        + " ORDER BY timestamp DESC, id DESC LIMIT 100",
                                DUCKDB_USER_42),
                        50),
                new Report(
                        "live tail, newest 50",
                        a -> a.live(EventJson.MAPPER.createObjectNode().put("limit", 50)),
                        withProperties(
                                "SELECT * FROM events WHERE timestamp >= now() - INTERVAL 15 MINUTE ORDER BY "
                                        + "timestamp DESC, id DESC LIMIT 50",
                                "timestamp >= now() - INTERVAL 15 MINUTE"),
                        100));
    }

    /**
     * The page {@code events} selects with each event's row of its own table as JSON, as the layer answers it: one
     * statement, the tables narrowed by {@code where}.
     */
    private static String withProperties(String events, String where) {
        StringBuilder own = new StringBuilder();
        for (int k = 0; k < QueryBenchData.NAMES; k++) {
            if (k > 0) own.append(" UNION ALL ");
            own.append("SELECT id, CAST(to_json(t) AS VARCHAR) AS j FROM event_")
                    .append(k)
                    .append(" t WHERE ")
                    .append(where);
        }
        return "SELECT e.*, p.j FROM (" + events + ") e LEFT JOIN (" + own + ") p ON p.id = e.id ORDER BY "
                + "e.timestamp DESC, e.id DESC";
    }

    private String step(String table, int step, String widen) {
        return "SELECT person_key AS k, CAST(floor(epoch(timestamp)) AS BIGINT) AS t, " + step
                + " AS step FROM " + table + " WHERE event = '" + table + "' AND timestamp >= " + a()
                + " AND timestamp < " + b() + widen;
    }

    private String chA() {
        return "toDateTime('" + from + " 00:00:00', 'UTC')";
    }

    private String chB() {
        return "toDateTime('" + to.plusDays(1) + " 00:00:00', 'UTC')";
    }

    /**
     * The rows of user_42 and of the anonymous id merged into them (anon_42, linked by the events that carry both), as
     * the layer's page has them.
     */
    private static final String USER_42 =
            "person_key IN (" + PersonKey.of("user_42") + ", " + PersonKey.of("anon_42") + ")";

    /**
     * The same on DuckDB, in the form DuckDB pushes into the scan (a literal list of two it filters row by row after
     * reading).
     */
    private static final String DUCKDB_USER_42 =
            "person_key IN (SELECT unnest([" + PersonKey.of("user_42") + ", " + PersonKey.of("anon_42") + "]))";

    private static final String CH_IDS =
            "(SELECT alias_key AS alias, argMin(person_key, timestamp) AS person FROM identity_links GROUP BY alias_key)";

    /** ClickHouse 18.16 has no WITH subqueries: nested subqueries, as a ClickHouse user writes them. */
    private List<Report> clickhouse() {
        String who = "ifNull(nullIf(person, 0), k)";
        return List.of(
                new Report(
                        "DAU, 90 days",
                        dau(false),
                        "SELECT d, uniqExact(" + who
                                + ") FROM (SELECT toDate(timestamp) AS d, person_key AS k FROM events WHERE timestamp >= "
                                + chA() + " AND timestamp < "
                                + chB()
                                + ") AS e ANY LEFT JOIN " + CH_IDS + " AS m ON m.alias = e.k GROUP BY d ORDER BY d",
                        0),
                new Report(
                        "DAU, 90 days, approximate",
                        dau(true),
                        "SELECT d, uniqCombined(" + who + ") FROM (SELECT toDate(timestamp) AS d, person_key AS k FROM "
                                + "events WHERE timestamp >= " + chA() + " AND timestamp < " + chB()
                                + ") AS e ANY LEFT "
                                + "JOIN " + CH_IDS + " AS m ON m.alias = e.k GROUP BY d ORDER BY d",
                        0),
                new Report(
                        "uniques by plan (top 10), 90 days",
                        report(
                                "trends",
                                "{\"series\":[{\"event\":\"event_1\",\"measure\":\"uniques\"}],"
                                        + "\"breakdown\":{\"property\":\"plan\"}," + range() + "}"),
                        "SELECT d, if(v IN (SELECT v FROM (SELECT properties_plan AS v, count() AS c FROM event_1 WHERE "
                                + "event = 'event_1' AND timestamp >= " + chA() + " AND timestamp < " + chB()
                                + " AND properties_plan IS NOT NULL GROUP BY v ORDER BY c DESC LIMIT 10)), v, '$other') AS g, "
                                + "uniqExact(" + who
                                + ") FROM (SELECT toDate(timestamp) AS d, person_key "
                                + "AS k, properties_plan AS v FROM event_1 WHERE event = 'event_1' AND timestamp >= "
                                + chA()
                                + " AND timestamp < " + chB() + ") AS e ANY LEFT JOIN " + CH_IDS
                                + " AS m ON m.alias = e.k "
                                + "GROUP BY d, g",
                        0),
                new Report(
                        "funnel, 3 steps, 7-day window",
                        report(
                                "funnels",
                                "{\"steps\":[{\"event\":\"event_0\"},{\"event\":\"event_1\"},"
                                        + "{\"event\":\"event_2\"}],\"window\":\"7d\"," + range() + "}"),
                        "SELECT level, count() FROM (SELECT p, windowFunnel(604800)(t, step = 1, step = 2, step = 3) AS "
                                + "level FROM (SELECT " + who + " AS p, t, step FROM (" + chStep("event_0", 1, "")
                                + " UNION ALL " + chStep("event_1", 2, " + 604800") + " UNION ALL "
                                + chStep("event_2", 3, " + 604800") + ") AS e ANY LEFT JOIN " + CH_IDS
                                + " AS m ON m.alias = e.k) GROUP BY p) GROUP BY level",
                        0),
                new Report(
                        "retention, weekly, 12 weeks",
                        report(
                                "retention",
                                "{\"start\":{\"event\":\"event_0\"},\"return\":{\"event\":\"event_1\"},"
                                        + "\"interval\":\"week\",\"periods\":12," + range() + "}"),
                        "SELECT c, k, count() FROM (SELECT c, arrayJoin(arrayDistinct(arrayFilter((x, l) -> x > l AND x "
                                + "<= l + 12, r, replicate(c, r)))) - c AS k FROM (SELECT p, minIf(w, kind = 0) AS c, "
                                + "minIf(t, kind = 0) AS f, groupArrayIf(w, kind = 1) AS r FROM (SELECT " + who
                                + " AS p, t, "
                                + "w, kind FROM (SELECT person_key AS k, timestamp AS t, "
                                + "toRelativeWeekNum(timestamp) AS w, 0 AS kind FROM event_0 WHERE event = 'event_0' AND "
                                + "timestamp < " + chB()
                                + " UNION ALL SELECT person_key, timestamp, "
                                + "toRelativeWeekNum(timestamp), 1 FROM event_1 WHERE event = 'event_1' AND timestamp >= "
                                + chA() + " AND timestamp < " + chB() + " + 7862400) AS e ANY LEFT JOIN " + CH_IDS
                                + " AS m ON m.alias = e.k) GROUP BY p) WHERE f >= " + chA() + " AND f < " + chB()
                                + ") GROUP BY c, k",
                        0),
                new Report(
                        "one person's newest 100 events",
                        a -> a.userEvents("user_42", 100, null),
                        chWithProperties(
                                "SELECT * FROM events WHERE " + USER_42 + " ORDER BY timestamp DESC, id DESC LIMIT 100",
                                USER_42),
                        0),
                new Report(
                        "live tail, newest 50",
                        a -> a.live(EventJson.MAPPER.createObjectNode().put("limit", 50)),
                        chWithProperties(
                                "SELECT * FROM events WHERE timestamp >= now() - 900 ORDER BY timestamp DESC, id DESC "
                                        + "LIMIT 50",
                                "timestamp >= now() - 900"),
                        0));
    }

    /**
     * {@link #withProperties} for ClickHouse: the page joined to each event's properties from its own table, the
     * tables narrowed by {@code where} (every generated table has the same property columns, so one UNION ALL).
     */
    private static String chWithProperties(String events, String where) {
        StringBuilder own = new StringBuilder();
        for (int k = 0; k < QueryBenchData.NAMES; k++) {
            if (k > 0) own.append(" UNION ALL ");
            own.append("SELECT id, properties_price, properties_plan FROM event_")
                    .append(k)
                    .append(" WHERE ")
                    .append(where);
        }
        return "SELECT * FROM (" + events + ") AS e ANY LEFT JOIN (" + own + ") AS p USING id ORDER BY timestamp "
                + "DESC, id DESC";
    }

    private String chStep(String table, int step, String widen) {
        return "SELECT person_key AS k, toUInt32(timestamp) AS t, " + step + " AS step FROM " + table
                + " WHERE event = '" + table + "' AND timestamp >= " + chA() + " AND timestamp < " + chB() + widen;
    }
}
