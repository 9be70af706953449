package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The analytics reports on a small fixed dataset whose answers were worked out by hand, on DuckDB and on ClickHouse:
 * the same request must give the same answer on both. The dataset has what real data has: a person seen anonymously
 * before they log in (and PostHog's {@code $identify} with {@code $anon_distinct_id}), one person's events from two
 * sources, a late event, a duplicate, a property whose type changes, an event name with odd characters, and times on
 * both sides of local midnight around the DST changes of Europe/Berlin (a 23-hour and a 25-hour day).
 *
 * <p>The expected numbers are derived in the comments next to the events.
 */
@Timeout(300)
class AnalyticsIT {
    static final String ADMIN = "analytics-admin-key";
    static final String KEYS = "an_write_key=native,phc_analytics_key=posthog";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, InProcessServer> SERVERS = new HashMap<>();
    static final List<Path> DIRS = new ArrayList<>();
    static ClickHouseServer clickhouse;

    @AfterAll
    static void stop() throws Exception {
        for (InProcessServer s : SERVERS.values()) s.close();
        if (clickhouse != null) clickhouse.close();
        for (Path dir : DIRS) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Native events, in the order they are sent (the late event last, the duplicate after its original). */
    static final String[] NATIVE = {
        // e1: anon-1 views at 22:30Z = 23:30 Berlin (CET) on 03-28
        "{\"id\":\"e1\",\"event\":\"Viewed Product\",\"anonymous_id\":\"anon-1\",\"timestamp\":\"2026-03-28T22:30:00Z\",\"properties\":{\"price\":10}}",
        // e2: anon-1 logs in as u1 (identify with both ids, traits)
        "{\"id\":\"e2\",\"type\":\"identify\",\"user_id\":\"u1\",\"anonymous_id\":\"anon-1\",\"timestamp\":\"2026-03-29T09:00:00Z\",\"traits\":{\"plan\":\"pro\",\"email\":\"u1@example.com\"}}",
        // e3: u1 orders at 09:05Z = 11:05 Berlin (CEST) on 03-29
        "{\"id\":\"e3\",\"event\":\"Order Completed\",\"user_id\":\"u1\",\"timestamp\":\"2026-03-29T09:05:00Z\",\"properties\":{\"revenue\":30,\"currency\":\"EUR\",\"session_id\":\"s-1\"}}",
        // e4: u2 views at 23:30Z on 03-28 = 00:30 Berlin on 03-29 (another day in UTC)
        "{\"id\":\"e4\",\"event\":\"Viewed Product\",\"user_id\":\"u2\",\"timestamp\":\"2026-03-28T23:30:00Z\",\"properties\":{\"price\":20,\"session_id\":\"s-2a\"}}",
        // e5: u2 orders on 03-30 Berlin, 34 h 30 min after viewing
        "{\"id\":\"e5\",\"event\":\"Order Completed\",\"user_id\":\"u2\",\"timestamp\":\"2026-03-30T10:00:00Z\",\"properties\":{\"revenue\":50,\"currency\":\"USD\",\"session_id\":\"s-2b\"}}",
        // e6: u3 views on 03-30 Berlin (00:30), price as text: the column is BIGINT, so it lands in price__string
        "{\"id\":\"e6\",\"event\":\"Viewed Product\",\"user_id\":\"u3\",\"timestamp\":\"2026-03-29T22:30:00Z\",\"properties\":{\"price\":\"cheap\"}}",
        // e6 again: a duplicate, dropped by the loader
        "{\"id\":\"e6\",\"event\":\"Viewed Product\",\"user_id\":\"u3\",\"timestamp\":\"2026-03-29T22:30:00Z\",\"properties\":{\"price\":\"cheap\"}}",
        // e10: an event name with odd characters, u5 on 03-31
        "{\"id\":\"e10\",\"event\":\"Sign Up \u2728 (beta)/v2\",\"user_id\":\"u5\",\"timestamp\":\"2026-03-31T12:00:00Z\"}",
        // October, DST ends: Berlin's 10-25 runs from 10-24T22:00Z to 10-25T23:00Z (25 hours)
        "{\"id\":\"o1\",\"event\":\"Viewed Product\",\"user_id\":\"u6\",\"timestamp\":\"2026-10-24T22:30:00Z\",\"properties\":{\"price\":1}}",
        "{\"id\":\"o2\",\"event\":\"Viewed Product\",\"user_id\":\"u6\",\"timestamp\":\"2026-10-25T00:30:00Z\",\"properties\":{\"price\":1}}",
        "{\"id\":\"o3\",\"event\":\"Viewed Product\",\"user_id\":\"u6\",\"timestamp\":\"2026-10-25T01:30:00Z\",\"properties\":{\"price\":1}}",
        "{\"id\":\"o4\",\"event\":\"Viewed Product\",\"user_id\":\"u6\",\"timestamp\":\"2026-10-25T23:30:00Z\",\"properties\":{\"price\":1}}",
        // e8: late, sent last: u1 viewed on 03-27
        "{\"id\":\"e8\",\"event\":\"Viewed Product\",\"user_id\":\"u1\",\"timestamp\":\"2026-03-27T12:00:00Z\",\"properties\":{\"price\":5,\"session_id\":\"s-1\"}}",
    };

    /** PostHog events: ph-anon-4 views, then logs in as u4 ($identify) and orders; u1 views from PostHog too. */
    static final String POSTHOG = """
        {"api_key":"phc_analytics_key","batch":[
          {"uuid":"11111111-0000-4000-8000-000000000001","event":"Viewed Product","distinct_id":"ph-anon-4","timestamp":"2026-03-30T08:00:00Z","properties":{"price":10}},
          {"uuid":"11111111-0000-4000-8000-000000000002","event":"$identify","distinct_id":"u4","timestamp":"2026-03-31T08:00:00Z","properties":{"$anon_distinct_id":"ph-anon-4"}},
          {"uuid":"11111111-0000-4000-8000-000000000003","event":"Order Completed","distinct_id":"u4","timestamp":"2026-03-31T09:00:00Z","properties":{"revenue":20,"currency":"EUR"}},
          {"uuid":"11111111-0000-4000-8000-000000000004","event":"Viewed Product","distinct_id":"u1","timestamp":"2026-03-31T10:00:00Z","properties":{"price":7}}
        ]}""";

    static synchronized InProcessServer server(String store) throws Exception {
        InProcessServer s = SERVERS.get(store);
        if (s != null) return s;
        Path dir = Files.createTempDirectory("analytics-it-" + store);
        DIRS.add(dir);
        // the default zone of requests that name none
        List<String> settings = new ArrayList<>(List.of("analytics.timezone", "Europe/Berlin"));
        // duckdb.person_index: a person's rows by the person_key index; the same answers
        if (store.equals("duckdb-indexed")) settings.addAll(List.of("duckdb.person_index", "true"));
        if (store.equals("clickhouse")) {
            if (clickhouse == null) clickhouse = ClickHouseServer.start();
            settings.addAll(List.of(
                    "store.type",
                    "clickhouse",
                    "clickhouse.url",
                    clickhouse.url(),
                    "clickhouse.database",
                    "an" + Long.toHexString(System.nanoTime())));
        }
        s = new InProcessServer(dir, KEYS, ADMIN, settings.toArray(String[]::new));
        SERVERS.put(store, s);
        load(s.base);
        return s;
    }

    /** Sends the dataset to a running server and waits until it is loaded. */
    static void load(String base) throws Exception {
        // numbers first, so that price is a BIGINT column before the text value arrives
        for (String e : NATIVE) {
            if (e.contains("\"e6\"")) Http.caughtUp(base, ADMIN, Duration.ofSeconds(60));
            assertThat(Http.post(base + "/v1/events", "an_write_key", e).status())
                    .isEqualTo(200);
        }
        assertThat(Http.post(base + "/batch", null, POSTHOG).status()).isEqualTo(200);
        Http.caughtUp(base, ADMIN, Duration.ofSeconds(60));
    }

    static JsonNode post(String store, String path, String body) throws Exception {
        Http.Reply r = Http.post(server(store).base + "/v1/analytics/" + path, ADMIN, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode get(String store, String path) throws Exception {
        Http.Reply r = Http.get(server(store).base + "/v1/analytics/" + path, ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<Object> values(JsonNode series) {
        List<Object> out = new ArrayList<>();
        for (JsonNode p : series.get("data")) {
            JsonNode v = p.get(1);
            out.add(v.isNull() ? null : v.isIntegralNumber() ? (Object) v.longValue() : (Object) v.doubleValue());
        }
        return out;
    }

    static final String MARCH = "\"from\":\"2026-03-27\",\"to\":\"2026-03-31\"";

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void daily_totals_follow_the_requested_zone(String store) throws Exception {
        JsonNode berlin = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Viewed Product\"}]," + MARCH + ",\"timezone\":\"Europe/Berlin\"}");
        // e8 | e1 | e4 | e6, ph-anon-4 | u1 from PostHog
        assertThat(values(berlin.get("series").get(0))).containsExactly(1L, 1L, 1L, 2L, 1L);
        assertThat(berlin.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(berlin.get("buckets").get(0).asText()).isEqualTo("2026-03-27T00:00+01:00");
        assertThat(berlin.get("buckets").get(3).asText()).isEqualTo("2026-03-30T00:00+02:00");
        assertThat(berlin.get("series").get(0).get("total").asLong()).isEqualTo(6);
        JsonNode byDefault = post(store, "trends", "{\"series\":[{\"event\":\"Viewed Product\"}]," + MARCH + "}");
        assertThat(byDefault.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(values(byDefault.get("series").get(0))).containsExactly(1L, 1L, 1L, 2L, 1L);
        JsonNode utc = post(
                store, "trends", "{\"series\":[{\"event\":\"Viewed Product\"}]," + MARCH + ",\"timezone\":\"UTC\"}");
        // e8 | e1, e4 | e6 | ph-anon-4 | u1 from PostHog
        assertThat(values(utc.get("series").get(0))).containsExactly(1L, 2L, 1L, 1L, 1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void a_23_and_a_25_hour_day(String store) throws Exception {
        JsonNode spring = post(
                store,
                "trends",
                "{\"series\":[{\"type\":\"any\"}],\"interval\":\"hour\","
                        + "\"from\":\"2026-03-29\",\"to\":\"2026-03-29\",\"timezone\":\"Europe/Berlin\"}");
        assertThat(spring.get("buckets")).hasSize(23);
        JsonNode autumn = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Viewed Product\"}],\"interval\":\"hour\","
                        + "\"from\":\"2026-10-25\",\"to\":\"2026-10-25\",\"timezone\":\"Europe/Berlin\"}");
        // 24 clock hours; 02:00 happened twice and holds o2 (CEST) and o3 (CET)
        assertThat(autumn.get("buckets")).hasSize(24);
        assertThat(autumn.get("buckets").get(2).asText()).isEqualTo("2026-10-25T02:00+02:00");
        List<Object> hours = values(autumn.get("series").get(0));
        assertThat(hours.get(0)).isEqualTo(1L); // o1 at 00:30
        assertThat(hours.get(2)).isEqualTo(2L);
        assertThat(hours.stream().mapToLong(v -> ((Number) v).longValue()).sum())
                .isEqualTo(3);
        JsonNode days = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Viewed Product\"}],"
                        + "\"from\":\"2026-10-24\",\"to\":\"2026-10-26\",\"timezone\":\"Europe/Berlin\"}");
        assertThat(values(days.get("series").get(0))).containsExactly(0L, 3L, 1L);
        assertThat(days.get("buckets").get(2).asText()).isEqualTo("2026-10-26T00:00+01:00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void people_are_counted_once_across_login_and_sources(String store) throws Exception {
        String week = "{\"series\":[{\"type\":\"any\",\"measure\":\"uniques\"}],\"interval\":\"week\","
                + "\"from\":\"2026-03-23\",\"to\":\"2026-03-29\",\"timezone\":\"Europe/Berlin\"";
        // u1 (e8, anon-1's e1, e2, e3) and u2 (e4)
        assertThat(values(post(store, "trends", week + "}").get("series").get(0)))
                .containsExactly(2L);
        // without merging, anon-1 is a third person
        assertThat(values(post(store, "trends", week + ",\"identity\":\"raw\"}")
                        .get("series")
                        .get(0)))
                .containsExactly(3L);
        JsonNode dau = post(
                store,
                "trends",
                "{\"series\":[{\"type\":\"any\",\"measure\":\"dau\"}," + "{\"type\":\"any\",\"measure\":\"wau\"}],"
                        + MARCH + ",\"timezone\":\"Europe/Berlin\"}");
        // 03-29: u1, u2; 03-30: u2, u3, u4 (as ph-anon-4); 03-31: u4, u5, u1 (PostHog)
        assertThat(values(dau.get("series").get(0))).containsExactly(1L, 1L, 2L, 3L, 3L);
        assertThat(values(dau.get("series").get(1))).containsExactly(1L, 1L, 2L, 4L, 5L);
        // a sketch is exact at this size, and the answer says it was asked for one
        JsonNode sketched = post(
                store,
                "trends",
                "{\"series\":[{\"type\":\"any\",\"measure\":\"dau\"},{\"type\":\"any\",\"measure\":\"wau\"}]," + MARCH
                        + ",\"timezone\":\"Europe/Berlin\",\"approximate\":true}");
        assertThat(sketched.get("approximate").asBoolean()).isTrue();
        assertThat(values(sketched.get("series").get(0))).containsExactly(1L, 1L, 2L, 3L, 3L);
        assertThat(values(sketched.get("series").get(1))).containsExactly(1L, 1L, 2L, 4L, 5L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void property_aggregates_breakdowns_and_formulas(String store) throws Exception {
        JsonNode r = post(
                store,
                "trends",
                "{\"series\":["
                        + "{\"event\":\"Order Completed\",\"measure\":\"sum\",\"property\":\"revenue\"},"
                        + "{\"event\":\"Order Completed\"}],"
                        + MARCH
                        + ",\"timezone\":\"Europe/Berlin\",\"formulas\":[{\"formula\":\"A / B\",\"label\":\"avg\"}]}");
        assertThat(values(r.get("series").get(0))).containsExactly(0L, 0L, 30L, 50L, 20L);
        assertThat(values(r.get("formulas").get(0))).containsExactly(null, null, 30L, 50L, 20L);
        JsonNode bd = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Order Completed\"}]," + MARCH
                        + ",\"timezone\":\"Europe/Berlin\",\"breakdown\":{\"property\":\"currency\",\"limit\":1}}");
        // EUR: e3 and u4's order (2 events) is the top value; USD folds into $other
        assertThat(bd.get("series")).hasSize(2);
        assertThat(bd.get("series").get(0).get("breakdown").asText()).isEqualTo("EUR");
        assertThat(values(bd.get("series").get(0))).containsExactly(0L, 0L, 1L, 0L, 1L);
        assertThat(bd.get("series").get(1).get("breakdown").asText()).isEqualTo("$other");
        JsonNode median = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Viewed Product\",\"measure\":\"median\","
                        + "\"property\":\"price\"}],\"interval\":\"month\",\"from\":\"2026-03-01\",\"to\":\"2026-03-31\","
                        + "\"timezone\":\"Europe/Berlin\"}");
        // 5, 10, 20, 10, 7 (u3's "cheap" is in price__string)
        assertThat(values(median.get("series").get(0))).containsExactly(10L);
        JsonNode trait = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Order Completed\"}]," + MARCH
                        + ",\"timezone\":\"Europe/Berlin\",\"breakdown\":{\"trait\":\"plan\"}}");
        assertThat(trait.get("series").get(0).get("breakdown").asText()).isEqualTo("pro");
        assertThat(values(trait.get("series").get(0))).containsExactly(0L, 0L, 1L, 0L, 0L);
        JsonNode odd = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Sign Up \u2728 (beta)/v2\"}]," + MARCH + ",\"timezone\":\"Europe/Berlin\"}");
        assertThat(values(odd.get("series").get(0))).containsExactly(0L, 0L, 0L, 0L, 1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void filters_compare_and_rolling_windows(String store) throws Exception {
        Map<String, List<Long>> cases = new java.util.LinkedHashMap<>();
        // Order Completed per Berlin day 03-27..03-31: e3 (EUR, 30) on 03-29, e5 (USD, 50) on 03-30, u4 (EUR, 20) on
        // 03-31
        cases.put("{\"property\":\"currency\",\"op\":\"eq\",\"value\":\"EUR\"}", List.of(0L, 0L, 1L, 0L, 1L));
        cases.put("{\"property\":\"currency\",\"op\":\"neq\",\"value\":\"EUR\"}", List.of(0L, 0L, 0L, 1L, 0L));
        cases.put(
                "{\"property\":\"currency\",\"op\":\"in\",\"values\":[\"USD\",\"GBP\"]}", List.of(0L, 0L, 0L, 1L, 0L));
        cases.put("{\"property\":\"currency\",\"op\":\"contains\",\"value\":\"us\"}", List.of(0L, 0L, 0L, 1L, 0L));
        cases.put("{\"property\":\"currency\",\"op\":\"not_contains\",\"value\":\"us\"}", List.of(0L, 0L, 1L, 0L, 1L));
        cases.put("{\"property\":\"currency\",\"op\":\"regex\",\"value\":\"^E.R$\"}", List.of(0L, 0L, 1L, 0L, 1L));
        cases.put("{\"property\":\"revenue\",\"op\":\"gte\",\"value\":30}", List.of(0L, 0L, 1L, 1L, 0L));
        cases.put("{\"property\":\"revenue\",\"op\":\"lt\",\"value\":\"30\"}", List.of(0L, 0L, 0L, 0L, 1L));
        cases.put("{\"property\":\"session_id\",\"op\":\"is_set\"}", List.of(0L, 0L, 1L, 1L, 0L));
        cases.put("{\"property\":\"session_id\",\"op\":\"is_not_set\"}", List.of(0L, 0L, 0L, 0L, 1L));
        cases.put("{\"property\":\"source\",\"op\":\"eq\",\"value\":\"posthog\"}", List.of(0L, 0L, 0L, 0L, 1L));
        for (Map.Entry<String, List<Long>> c : cases.entrySet()) {
            JsonNode r = post(
                    store,
                    "trends",
                    "{\"series\":[{\"event\":\"Order Completed\",\"filters\":[" + c.getKey() + "]}]," + MARCH
                            + ",\"timezone\":\"Europe/Berlin\"}");
            assertThat(values(r.get("series").get(0))).as(c.getKey()).containsExactlyElementsOf(c.getValue());
        }
        // the previous 5 days (03-22..03-26) had no orders
        JsonNode cmp = post(
                store,
                "trends",
                "{\"series\":[{\"event\":\"Order Completed\"}]," + MARCH
                        + ",\"timezone\":\"Europe/Berlin\",\"compare\":\"previous\"}");
        assertThat(values(cmp.get("previous").get(0))).containsExactly(0L, 0L, 0L, 0L, 0L);
        assertThat(cmp.at("/previous/0/data/0/0").asText()).isEqualTo("2026-03-22T00:00+01:00");
        // MAU on 04-28 (30 days back to 03-30): u1 (PostHog, 03-31), u2 (03-30), u3, u4, u5; on 04-29 u2 and u3 are out
        JsonNode mau = post(
                store,
                "trends",
                "{\"series\":[{\"type\":\"any\",\"measure\":\"mau\"}],"
                        + "\"from\":\"2026-04-28\",\"to\":\"2026-04-29\",\"timezone\":\"Europe/Berlin\"}");
        assertThat(values(mau.get("series").get(0))).containsExactly(5L, 3L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void a_funnel_converts_people_across_login(String store) throws Exception {
        String steps = "{\"steps\":[{\"event\":\"Viewed Product\"},{\"event\":\"Order Completed\"}],\"window\":\"7d\","
                + MARCH + ",\"timezone\":\"Europe/Berlin\"";
        JsonNode f = post(store, "funnels", steps + "}");
        // entered: u1 (e8), u2, u3, u4 (as ph-anon-4); converted u1 (162300 s), u2 (124200 s), u4 (90000 s)
        assertThat(f.at("/steps/0/count").asLong()).isEqualTo(4);
        assertThat(f.at("/steps/1/count").asLong()).isEqualTo(3);
        assertThat(f.at("/steps/1/conversion").asDouble()).isEqualTo(0.75);
        assertThat(f.at("/steps/1/dropped").asLong()).isEqualTo(1);
        assertThat(f.at("/median_seconds_to_convert").asLong()).isEqualTo(124_200);
        assertThat(f.at("/time_to_convert/6/from_seconds").asLong()).isEqualTo(86_400);
        assertThat(f.at("/time_to_convert/6/count").asLong()).isEqualTo(3);
        JsonNode raw = post(store, "funnels", steps + ",\"identity\":\"raw\"}");
        // u1, anon-1, u2, u3, ph-anon-4 entered; u1 and u2 converted
        assertThat(raw.at("/steps/0/count").asLong()).isEqualTo(5);
        assertThat(raw.at("/steps/1/count").asLong()).isEqualTo(2);
        JsonNode dropped = post(store, "funnels", steps + ",\"dropped_at\":1}");
        assertThat(dropped.get("people").toString()).isEqualTo("[\"u3\"]");
        JsonNode strict = post(store, "funnels", steps + ",\"order\":\"strict\"}");
        // u1's next event after e8 is e1 (a view), u4's after its view is $identify: only u2 converts strictly
        assertThat(strict.at("/steps/1/count").asLong()).isEqualTo(1);
        JsonNode byPrice = post(store, "funnels", steps + ",\"breakdown\":{\"property\":\"price\"}}");
        // the price of each person's first view: u4 10, u2 20, u1 5, u3 none ("cheap" is in price__string)
        assertThat(byPrice.get("breakdown").findValuesAsText("value")).containsExactly("10", "20", "5", "null");
        assertThat(byPrice.at("/breakdown/3/value").isNull()).isTrue();
        assertThat(byPrice.at("/breakdown/0/steps/1/count").asLong()).isEqualTo(1);
        assertThat(byPrice.at("/breakdown/3/steps/0/count").asLong()).isEqualTo(1);
        assertThat(byPrice.at("/breakdown/3/steps/1/count").asLong()).isZero();
        JsonNode sessions = post(store, "funnels", steps + ",\"session\":\"session_id\"}");
        // sessions with a session id: u1's s-1 (view and order), u2's s-2a (its order is in s-2b)
        assertThat(sessions.get("unit").asText()).isEqualTo("session");
        assertThat(sessions.at("/steps/0/count").asLong()).isEqualTo(2);
        assertThat(sessions.at("/steps/1/count").asLong()).isEqualTo(1);
        JsonNode oneHour = post(store, "funnels", steps.replace("7d", "26h") + "}");
        assertThat(oneHour.at("/steps/1/count").asLong()).isEqualTo(1); // u4 only (25 h)
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void retention_by_first_view_and_later_orders(String store) throws Exception {
        JsonNode r = post(
                store,
                "retention",
                "{\"start\":{\"event\":\"Viewed Product\"},"
                        + "\"return\":{\"event\":\"Order Completed\"},\"periods\":3," + MARCH
                        + ",\"timezone\":\"Europe/Berlin\"}");
        JsonNode c = r.get("cohorts");
        assertThat(c).hasSize(5);
        assertThat(c.get(0).get("cohort").asText()).isEqualTo("2026-03-27T00:00+01:00");
        assertThat(c.get(0).get("retained").toString()).isEqualTo("[1,0,1,0]"); // u1 orders on day 2
        assertThat(c.get(1).get("size").asLong()).isZero();
        assertThat(c.get(2).get("retained").toString()).isEqualTo("[1,1,0,0]"); // u2
        assertThat(c.get(3).get("retained").toString()).isEqualTo("[2,1,0,0]"); // u3, u4
        assertThat(r.at("/overall/retained").toString()).isEqualTo("[4,2,1,0]");
        assertThat(r.at("/overall/percent/1").asDouble()).isEqualTo(50.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse", "duckdb-indexed"})
    void a_person_and_their_events(String store) throws Exception {
        JsonNode p = get(store, "users/anon-1");
        assertThat(p.get("id").asText()).isEqualTo("u1");
        assertThat(p.get("ids").toString()).isEqualTo("[\"u1\",\"anon-1\"]");
        assertThat(p.at("/traits/plan").asText()).isEqualTo("pro");
        assertThat(p.get("events").asLong()).isEqualTo(5); // e8, e1, e2, e3, PostHog view
        assertThat(p.get("sources").findValuesAsText("source")).containsExactly("native", "posthog");
        JsonNode page = get(store, "users/u1/events?limit=2");
        assertThat(page.get("events").findValuesAsText("id"))
                .containsExactly("11111111-0000-4000-8000-000000000004", "e3");
        assertThat(page.at("/events/1/properties/revenue").asLong()).isEqualTo(30);
        assertThat(page.at("/events/1/properties/currency").asText()).isEqualTo("EUR");
        JsonNode next = get(
                store,
                "users/u1/events?limit=10&before="
                        + java.net.URLEncoder.encode(
                                page.get("next").asText(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(next.get("events").findValuesAsText("id")).containsExactly("e2", "e1", "e8");
        // one page, tables of different columns: the identify's traits beside the views' properties
        assertThat(next.at("/events/0/traits/plan").asText()).isEqualTo("pro");
        assertThat(next.at("/events/0/properties").isMissingNode()).isTrue();
        assertThat(next.at("/events/1/properties/price").asLong()).isEqualTo(10);
        assertThat(next.at("/events/2/properties/session_id").asText()).isEqualTo("s-1");
        assertThat(next.has("next")).isFalse();
        JsonNode found = get(store, "users?search=u1%40example");
        assertThat(found.get("people").findValuesAsText("id")).containsExactly("u1");
        if (store.equals("duckdb-indexed")) {
            String base = server(store).base;
            long keyed = Http.sql(
                            base,
                            ADMIN,
                            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'person_key'")
                    .get(0)
                    .get(0)
                    .asLong();
            assertThat(Http.sql(
                                    base,
                                    ADMIN,
                                    "SELECT count(*) FROM duckdb_indexes() WHERE index_name LIKE '%__person_key'")
                            .get(0)
                            .get(0)
                            .asLong())
                    .as("every table with person_key has its index")
                    .isEqualTo(keyed)
                    .isGreaterThan(3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void live_events_names_and_values(String store) throws Exception {
        JsonNode tail = post(store, "events/live", "{\"limit\":3}");
        assertThat(tail.get("events").findValuesAsText("id")).containsExactly("o4", "o3", "o2");
        assertThat(tail.at("/events/0/properties/price").asLong()).isEqualTo(1);
        JsonNode names = get(store, "events/names?days=3660");
        assertThat(names.get("events").get(0).get("event").asText()).isEqualTo("Viewed Product");
        assertThat(names.get("events").get(0).get("count").asLong()).isEqualTo(10);
        JsonNode values = post(
                store, "properties/values", "{\"event\":\"Viewed Product\",\"property\":\"price\"," + "\"days\":3660}");
        assertThat(values.at("/values/0/value").asLong()).isEqualTo(1);
        assertThat(values.at("/values/0/count").asLong()).isEqualTo(4);
        assertThat(values.get("histogram")).hasSize(20);
        assertThat(values.at("/histogram/19/count").asLong()).isEqualTo(1); // 20
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void a_malformed_request_is_a_400_naming_the_field(String store) throws Exception {
        Map<String, String> cases = Map.of(
                "{\"series\":[{\"event\":\"Viewed Product\",\"filters\":[{\"property\":\"price\",\"op\":\"gt\","
                        + "\"value\":\"ten\"}]}]}",
                "series[0].filters[0].value",
                "{\"series\":[{\"event\":\"Viewed Product\",\"filters\":[{\"property\":\"nope\"}]}]}",
                "series[0].filters[0].property",
                "{\"series\":[{\"event\":\"Viewed Product\"}],\"timezone\":\"Mars/Olympus\"}",
                "timezone",
                "{\"series\":[{\"event\":\"Viewed Product\"}],\"intervall\":\"day\"}",
                "intervall",
                "{\"series\":[{\"event\":\"Viewed Product\",\"measure\":\"sum\",\"property\":\"currency\"}]}",
                "series[0].property");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Http.Reply r = Http.post(server(store).base + "/v1/analytics/trends", ADMIN, c.getKey());
            assertThat(r.status()).as(c.getKey() + " → " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("field").asText())
                    .as(r.body())
                    .isEqualTo(c.getValue());
        }
        assertThat(Http.post(server(store).base + "/v1/analytics/trends", "an_write_key", "{}")
                        .status())
                .isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb"})
    void the_same_reports_from_the_command_line(String store) throws Exception {
        String base = server(store).base;
        String trends = cli(
                "report",
                "trends",
                "--event",
                "Viewed Product",
                "--from",
                "2026-03-27",
                "--to",
                "2026-03-31",
                "--tz",
                "Europe/Berlin",
                "--url",
                base,
                "--key",
                ADMIN);
        assertThat(trends).contains("2026-03-30T00:00+02:00 | 2 ").contains("time zone Europe/Berlin");
        String funnel = cli(
                "report",
                "funnel",
                "--event",
                "Viewed Product",
                "--event",
                "Order Completed",
                "--from",
                "2026-03-27",
                "--to",
                "2026-03-31",
                "--tz",
                "Europe/Berlin",
                "--url",
                base,
                "--key",
                ADMIN);
        assertThat(funnel).contains("Order Completed").contains("75.0%").contains("median time to convert: 124200 s");
        String json = cli(
                "report",
                "retention",
                "--start",
                "Viewed Product",
                "--return",
                "Order Completed",
                "--periods",
                "3",
                "--from",
                "2026-03-27",
                "--to",
                "2026-03-31",
                "--tz",
                "Europe/Berlin",
                "--format",
                "json",
                "--url",
                base,
                "--key",
                ADMIN);
        assertThat(JSON.readTree(json).at("/overall/retained").toString()).isEqualTo("[4,2,1,0]");
        String user = cli("report", "user", "anon-1", "--url", base, "--key", ADMIN);
        assertThat(user).contains("person u1").contains("Order Completed");
        assertThat(io.catchment.Main.run("report", "trends", "--where", "price", "--url", base, "--key", ADMIN))
                .isEqualTo(2);
    }

    private static String cli(String... args) {
        java.io.PrintStream before = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = io.catchment.Main.run(args);
        } finally {
            System.setOut(before);
        }
        String out = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        return out;
    }
}
