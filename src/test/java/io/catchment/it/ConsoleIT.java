package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in headless Chromium (Debian's, driven by the scripts in tools/browser) on AnalyticsIT's dataset.
 * console.mjs: every page loads with no console error and no failed request, the reports' tables hold the
 * hand-computed numbers in every chart mode, the pickers offer the event's columns and values, a funnel step lists
 * who dropped, SQL runs with Ctrl+Enter, pages 100 rows at a time and its CSV download is its result, the home page is
 * interactive within a second. keyboard.mjs: the main flows with key presses only, every tab stop drawn focused.
 * dashboard.mjs: a dashboard arranged in the console keeps its order across a restart. Screenshots of every page land
 * in target/console-screenshots (docs/console.md shows them).
 */
@Timeout(300)
class ConsoleIT {
    @TempDir
    Path dir;

    static String state(String json) {
        return "?s=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    @Test
    void every_page_shows_the_right_numbers_without_an_error() throws Exception {
        // a dead letter: an event over the field limit of a first server; the second has the default limit, so a replay
        // from the console lands it
        try (InProcessServer first =
                new InProcessServer(dir, AnalyticsIT.KEYS, AnalyticsIT.ADMIN, "limits.max_fields_per_event", "30")) {
            AnalyticsIT.load(first.base);
            StringBuilder wide = new StringBuilder("{\"id\":\"wide-1\",\"event\":\"Wide Event\",\"user_id\":\"u9\","
                    + "\"timestamp\":\"2026-05-01T10:00:00Z\",\"properties\":{");
            for (int i = 0; i < 40; i++)
                wide.append(i > 0 ? "," : "")
                        .append("\"p")
                        .append(i)
                        .append("\":")
                        .append(i);
            assertThat(Http.post(first.base + "/v1/events", "an_write_key", wide + "}}")
                            .status())
                    .isEqualTo(200);
            Http.caughtUp(first.base, AnalyticsIT.ADMIN, java.time.Duration.ofSeconds(60));
        }
        try (InProcessServer s = new InProcessServer(dir, AnalyticsIT.KEYS, AnalyticsIT.ADMIN)) {
            // clicks over the last hour, so that the home page and the live events have something of now to show
            StringBuilder clicks = new StringBuilder("[");
            java.time.Instant now = java.time.Instant.now();
            for (int i = 0; i < 30; i++)
                clicks.append(i > 0 ? "," : "")
                        .append("{\"id\":\"click-")
                        .append(i)
                        .append("\",\"event\":\"Clicked Button\",\"user_id\":\"visitor-")
                        .append(i % 4)
                        .append("\",\"timestamp\":\"")
                        .append(now.minusSeconds(119L * i + 30))
                        .append("\",\"properties\":{\"button\":\"")
                        .append(i % 3 == 0 ? "buy" : "save")
                        .append("\"}}");
            assertThat(Http.post(s.base + "/v1/events", "an_write_key", clicks + "]")
                            .status())
                    .isEqualTo(200);
            Http.caughtUp(s.base, AnalyticsIT.ADMIN, java.time.Duration.ofSeconds(60));
            String eventsByName =
                    "SELECT event, count(*) AS n FROM events WHERE event IS NOT NULL GROUP BY event ORDER BY n DESC, event";
            String expectedCsv = csvOf(Http.sql(s.base, AnalyticsIT.ADMIN, eventsByName));
            String march = "\"from\":\"2026-03-27\",\"to\":\"2026-03-31\",\"timezone\":\"Europe/Berlin\"";
            List<Map<String, String>> pages = List.of(
                    Map.of("name", "home", "hash", "/", "wait", "main .chart canvas"),
                    Map.of(
                            "name",
                            "trends",
                            "hash",
                            "/trends"
                                    + state("{\"series\":[{\"event\":\"Viewed Product\","
                                            + "\"measure\":\"total\"},{\"type\":\"any\",\"measure\":\"dau\"}],\"interval\":\"day\","
                                            + march
                                            + "}"),
                            "wait",
                            "#result table"),
                    Map.of(
                            "name",
                            "funnels",
                            "hash",
                            "/funnels"
                                    + state("{\"steps\":[{\"event\":\"Viewed Product\"},"
                                            + "{\"event\":\"Order Completed\"}],\"window\":\"7d\",\"order\":\"loose\","
                                            + march + "}"),
                            "wait",
                            "#result table"),
                    Map.of(
                            "name",
                            "retention",
                            "hash",
                            "/retention"
                                    + state("{\"start\":{\"event\":\"Viewed Product\"},"
                                            + "\"return\":{\"event\":\"Order Completed\"},\"interval\":\"day\",\"periods\":3,"
                                            + "\"first_time\":true," + march + "}"),
                            "wait",
                            "#result table"),
                    Map.of("name", "users", "hash", "/users/anon-1", "wait", "#timeline details"),
                    Map.of("name", "live", "hash", "/live", "wait", "main details"),
                    Map.of(
                            "name",
                            "sql",
                            "hash",
                            "/sql?q="
                                    + URLEncoder.encode(
                                                    "SELECT event, count(*) AS n FROM events WHERE event IS NOT NULL GROUP BY event ORDER BY n DESC, event",
                                                    StandardCharsets.UTF_8)
                                            .replace("+", "%20"),
                            "wait",
                            "#sql-summary"),
                    Map.of(
                            "name",
                            "sql-paging",
                            "hash",
                            "/sql?q="
                                    + URLEncoder.encode(
                                                    "SELECT range AS n, range % 7 AS weekday, 'row ' || range AS label FROM range(250)",
                                                    StandardCharsets.UTF_8)
                                            .replace("+", "%20"),
                            "wait",
                            "#sql-summary"),
                    Map.of("name", "schema", "hash", "/schema", "wait", "main details"),
                    Map.of("name", "dlq", "hash", "/dlq", "wait", "main table"),
                    Map.of("name", "dashboards", "hash", "/dashboards/growth", "wait", "#tiles .tile canvas"));
            // a dashboard saved through the API the console uses: a trends chart and an SQL chart
            assertThat(Http.put(
                                    s.base + "/v1/dashboards/growth",
                                    AnalyticsIT.ADMIN,
                                    "{\"name\":\"Growth\",\"tiles\":[{\"title\":\"Views per day\",\"kind\":\"trends\","
                                            + "\"request\":{\"series\":[{\"event\":\"Viewed Product\"}]," + march
                                            + "}},"
                                            + "{\"title\":\"Events by name\",\"kind\":\"sql\",\"request\":{\"sql\":"
                                            + "\"SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC\"}}]}")
                            .status())
                    .isEqualTo(200);
            Path shots = Files.createDirectories(Path.of("target/console-screenshots"));
            JsonNode r = drive(
                    "console.mjs",
                    Map.of(
                            "base",
                            s.base,
                            "key",
                            AnalyticsIT.ADMIN,
                            "shots",
                            shots.toAbsolutePath().toString(),
                            "pages",
                            pages));
            assertThat(r.path("homeInteractiveMs").asLong())
                    .as("sign-in to home")
                    .isLessThan(5000);
            // the home page's numbers within a second of the navigation's start: the median of three warm loads (one
            // load alone can be slow while the other engineer's build has both cores)
            List<Double> loads = new ArrayList<>();
            for (JsonNode ms : r.path("homeLoadsMs")) loads.add((double) Math.round(ms.asDouble()));
            assertThat(loads).hasSize(3);
            loads.sort(null);
            System.out.println("ConsoleIT: home interactive in " + loads + " ms, median " + loads.get(1));
            assertThat(loads.get(1))
                    .as("median home interactive ms of " + loads)
                    .isLessThanOrEqualTo(1000.0);

            // the table under the trends chart: time, Viewed Product, DAU (see AnalyticsIT)
            List<String> views = column(r.at("/pages/trends/tables/0"), 1);
            assertThat(views).containsExactly("1", "1", "1", "2", "1");
            assertThat(column(r.at("/pages/trends/tables/0"), 2)).containsExactly("1", "1", "2", "3", "3");
            // bars and stacked draw the same series: the table under the chart keeps its numbers, the mode is in the
            // URL
            for (String mode : List.of("bars", "stacked", "lines")) {
                JsonNode drawn = r.at("/pages/trends/modes/" + mode);
                assertThat(column(drawn.at("/tables/0"), 1)).as(mode).containsExactly("1", "1", "1", "2", "1");
                assertThat(column(drawn.at("/tables/0"), 2)).as(mode).containsExactly("1", "1", "2", "3", "3");
                String url = java.net.URLDecoder.decode(drawn.path("url").asText(), StandardCharsets.UTF_8);
                if (mode.equals("lines")) assertThat(url).doesNotContain("\"chart\"");
                else assertThat(url).contains("\"chart\":\"" + mode + "\"");
            }
            assertThat(r.at("/pages/trends/modes/reloaded").asText())
                    .as("the mode after a reload")
                    .isEqualTo("stacked");
            // the pickers offer the columns of the chosen event's table: numbers only for a measure's property,
            // and for a breakdown those every series' table has (all events: no property columns)
            assertThat(texts(r.at("/pages/trends/pickers/property-0")))
                    .contains("properties_price")
                    .doesNotContain("properties_price__string", "user_id", "properties_revenue");
            assertThat(texts(r.at("/pages/trends/pickers/breakdown")))
                    .contains("user_id")
                    .doesNotContain("properties_price");
            // a filter on the funnel's second step, picked from Order Completed's columns and currency's values
            assertThat(texts(r.at("/pages/funnels/filterColumns")))
                    .contains("properties_currency", "properties_revenue")
                    .doesNotContain("properties_price");
            assertThat(texts(r.at("/pages/funnels/filterValues"))).containsExactlyInAnyOrder("EUR", "USD");
            JsonNode filtered = r.at("/pages/funnels/filtered/0");
            assertThat(filtered.get(2).get(2).asText())
                    .as("EUR orders: u1 and u4")
                    .isEqualTo("2");
            assertThat(java.net.URLDecoder.decode(
                            r.at("/pages/funnels/filteredUrl").asText(), StandardCharsets.UTF_8))
                    .contains("\"filters\":[{\"property\":\"currency\",\"op\":\"eq\",\"value\":\"EUR\"}]");
            JsonNode funnel = r.at("/pages/funnels/tables/0");
            assertThat(funnel.get(1).get(2).asText()).isEqualTo("4");
            assertThat(funnel.get(2).get(2).asText()).isEqualTo("3");
            assertThat(r.at("/pages/funnels/dropped").toString()).isEqualTo("[\"u3\"]");
            assertThat(texts(r.at("/pages/funnels/filteredDropped"))).containsExactlyInAnyOrder("u2", "u3");
            // the retained people table (the second on the page): cohort 03-27 kept u1 on day 2
            JsonNode retained = r.at("/pages/retention/tables/1");
            assertThat(retained.get(1).toString())
                    .contains("2026-03-27T00:00+01:00")
                    .endsWith("\"1\",\"0\",\"1\",\"0\"]");
            assertThat(r.at("/pages/users/text").asText())
                    .contains("u1")
                    .contains("anon-1")
                    .contains("Order Completed");
            assertThat(r.at("/pages/live/text").asText()).contains("Viewed Product");
            assertThat(r.at("/pages/sql/csv").asText())
                    .startsWith("event,n\n")
                    .contains("Viewed Product,10\n")
                    .isEqualTo(expectedCsv);
            assertThat(r.at("/pages/sql/charted").asBoolean())
                    .as("a query result charted")
                    .isTrue();
            // 250 rows, 100 a page: the column types under the names, each page's rows, the CSV with all of them
            JsonNode paged = r.at("/pages/sql-paging");
            assertThat(paged.path("summary").asText()).startsWith("250 rows in ");
            assertThat(texts(paged.path("header"))).containsExactly("n, BIGINT", "weekday, BIGINT", "label, VARCHAR");
            String[][] pagesSeen = {
                {"Rows 1–100 of 250", "0", "100"}, {"Rows 101–200 of 250", "100", "100"},
                {"Rows 201–250 of 250", "200", "50"}, {"Rows 101–200 of 250", "100", "100"}
            };
            for (int i = 0; i < pagesSeen.length; i++) {
                JsonNode seen = paged.at("/paging/" + i);
                assertThat(seen.path("status").asText()).isEqualTo(pagesSeen[i][0]);
                assertThat(seen.at("/rows/0").asText()).isEqualTo(pagesSeen[i][1]);
                assertThat(seen.path("rows").size()).isEqualTo(Integer.parseInt(pagesSeen[i][2]));
            }
            assertThat(paged.at("/paging/0/prev").asBoolean()).isTrue();
            assertThat(paged.at("/paging/2/next").asBoolean()).isTrue();
            assertThat(paged.path("csvLines").asInt())
                    .as("header and every row")
                    .isEqualTo(251);
            assertThat(r.at("/pages/schema/text").asText())
                    .contains("viewed_product")
                    .contains("price__string");
            for (String page : List.of(
                    "login",
                    "home",
                    "trends",
                    "trends-bars",
                    "trends-stacked",
                    "funnels",
                    "retention",
                    "users",
                    "live",
                    "sql",
                    "sql-paging",
                    "schema",
                    "dlq",
                    "dashboards")) {
                assertThat(shots.resolve(page + ".png")).isNotEmptyFile();
            }
        }
    }

    @Test
    void a_dashboard_arranged_in_the_console_survives_a_restart() throws Exception {
        String views = "/trends"
                + state("{\"series\":[{\"event\":\"Viewed Product\"}],\"interval\":\"day\","
                        + "\"from\":\"2026-03-27\",\"to\":\"2026-03-31\",\"timezone\":\"Europe/Berlin\"}");
        List<Map<String, String>> tiles = List.of(
                Map.of(
                        "hash",
                        sqlHash("SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC"),
                        "wait",
                        "#sql-summary"),
                Map.of("hash", views, "wait", "#result table"),
                Map.of(
                        "hash",
                        sqlHash("SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC"),
                        "wait",
                        "#sql-summary"));
        List<String> arranged;
        try (InProcessServer s = new InProcessServer(dir, AnalyticsIT.KEYS, AnalyticsIT.ADMIN)) {
            AnalyticsIT.load(s.base);
            JsonNode r = drive(
                    "dashboard.mjs",
                    Map.of(
                            "base",
                            s.base,
                            "key",
                            AnalyticsIT.ADMIN,
                            "phase",
                            "arrange",
                            "name",
                            "Restart check",
                            "tiles",
                            tiles));
            assertThat(r.path("url").asText()).endsWith("#/dashboards/restart-check");
            String byEvent = "SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC";
            String byType = "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC";
            String trend = "Viewed Product · total";
            assertThat(texts(r.path("added"))).containsExactly(byEvent, trend, byType);
            // moved from the keyboard: the last to the front, its button keeping the focus (the disabled "earlier"
            // hands it to "later")
            assertThat(texts(r.path("moved"))).containsExactly(byType, byEvent, trend);
            assertThat(r.path("focusAfterMove").asText()).isEqualTo("Move " + byType + " later");
            // dragged: the last onto the first
            assertThat(texts(r.path("dragged"))).containsExactly(trend, byType, byEvent);
            assertThat(texts(r.path("reloaded"))).containsExactly(trend, byType, byEvent);
            assertThat(r.path("refreshUrl").asText()).endsWith("#/dashboards/restart-check?refresh=300");
            assertThat(r.path("refreshAfterReload").asText()).isEqualTo("300");
            // the store holds that order
            JsonNode saved =
                    EventJson.MAPPER.readTree(Http.get(s.base + "/v1/dashboards/restart-check", AnalyticsIT.ADMIN)
                            .body());
            arranged = new ArrayList<>();
            for (JsonNode t : saved.path("tiles")) arranged.add(t.path("title").asText());
            assertThat(arranged).containsExactly(trend, byType, byEvent);
        }
        // the same data directory, a new server: the dashboard is there, its tiles in their order, each drawn
        try (InProcessServer s = new InProcessServer(dir, AnalyticsIT.KEYS, AnalyticsIT.ADMIN)) {
            JsonNode r = drive(
                    "dashboard.mjs",
                    Map.of("base", s.base, "key", AnalyticsIT.ADMIN, "phase", "check", "name", "Restart check"));
            assertThat(texts(r.path("titles"))).containsExactlyElementsOf(arranged);
        }
    }

    @Test
    void the_main_flows_work_from_the_keyboard_alone() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, AnalyticsIT.KEYS, AnalyticsIT.ADMIN)) {
            AnalyticsIT.load(s.base);
            JsonNode r = drive(
                    "keyboard.mjs", Map.of("base", s.base, "key", AnalyticsIT.ADMIN, "timezone", "Europe/Berlin"));
            // every control the flows needed was reached with Tab, and each tab stop showed that it had the focus
            assertThat(r.path("unreachable")).isEmpty();
            List<String> unmarked = new ArrayList<>();
            for (JsonNode stop : r.path("stops"))
                if (!stop.path("visible").asBoolean())
                    unmarked.add(stop.path("name").asText());
            assertThat(unmarked).as("tab stops without a visible focus style").isEmpty();
            assertThat(r.path("stops").size()).isGreaterThan(40);
            // trends: "+ Filter" (Space) put the focus on the new filter's property; price = 10 views: e1 (03-28)
            // and ph-anon-4 (03-30); the radio group's arrow key drew bars, and the URL keeps it all
            assertThat(r.path("filterFocus").asText()).isEqualTo("#series-0-f0-property");
            assertThat(column(r.at("/trends/tables/0"), 1)).containsExactly("0", "1", "0", "1", "0");
            assertThat(r.at("/trends/mode").asText()).isEqualTo("bars");
            assertThat(java.net.URLDecoder.decode(r.at("/trends/url").asText(), StandardCharsets.UTF_8))
                    .contains("\"filters\":[{\"property\":\"price\",\"op\":\"eq\",\"value\":\"10\"}]")
                    .contains("\"chart\":\"bars\"");
            // the funnel, its drop-off list, and the person's page opened from it
            JsonNode funnel = r.at("/funnel/tables/0");
            assertThat(funnel.get(1).get(2).asText()).isEqualTo("4");
            assertThat(funnel.get(2).get(2).asText()).isEqualTo("3");
            assertThat(r.at("/funnel/dropped").toString()).isEqualTo("[\"u3\"]");
            assertThat(r.path("person").asText()).isEqualTo("u3");
            // SQL typed over the default query and run with Ctrl+Enter, then charted with Enter
            assertThat(r.at("/sql/0/1").toString()).isEqualTo("[\"Order Completed\",\"3\"]");
            assertThat(r.path("sqlCharted").asBoolean()).isTrue();
        }
    }

    private static String sqlHash(String sql) {
        return "/sql?q=" + URLEncoder.encode(sql, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String csvOf(JsonNode rows) {
        StringBuilder b = new StringBuilder("event,n\n");
        for (JsonNode row : rows)
            b.append(row.get(0).asText())
                    .append(',')
                    .append(row.get(1).asText())
                    .append('\n');
        return b.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    private static List<String> column(JsonNode table, int i) {
        List<String> out = new ArrayList<>();
        for (int r = 1; r < table.size(); r++) out.add(table.get(r).get(i).asText());
        return out;
    }

    /** Runs a script of tools/browser (session.mjs) with the spec; its JSON, after checking it ended cleanly. */
    private JsonNode drive(String script, Map<String, Object> spec) throws Exception {
        Path out = dir.resolve(script + ".json");
        Path err = dir.resolve(script + ".log");
        Process p = new ProcessBuilder("node", "tools/browser/" + script, EventJson.MAPPER.writeValueAsString(spec))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS))
                    .as("the browser run ends")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(script + ": " + Files.readString(err)).isZero();
        JsonNode r = EventJson.MAPPER.readTree(Files.readString(out, StandardCharsets.UTF_8));
        assertThat(r.has("fatal")).as(r.path("fatal").asText()).isFalse();
        assertThat(r.path("errors")).as("console errors").isEmpty();
        assertThat(r.path("failed")).as("failed requests").isEmpty();
        return r;
    }
}
