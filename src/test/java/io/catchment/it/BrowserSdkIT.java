package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendors' official browser SDKs (the npm packages pinned in {@code tools/browser/package.json}) on a page served
 * from another origin than Catchment, in headless Debian chromium driven by playwright-core, with only their host
 * options pointed at Catchment (the init lines of docs/sources.md). Each page sends a page view, a track with nested
 * properties, an identify with traits and an event while the visitor leaves (navigates away), plus the SDK's own
 * automatic events. Then every row is checked in the store, the traits in {@code users}, and the browser's console
 * and network must show no error. Once over HTTP, once with the page and Catchment on HTTPS (self-signed).
 */
@Timeout(300)
class BrowserSdkIT {
    static final String AK = "browser-it-admin-key";
    static final List<String> SDKS = List.of("segment", "amplitude", "mixpanel", "posthog");
    static final String NOTE = "line1\r\nline2 \uD83D\uDE80";
    static final String ITEMS = "[{\"sku\":\"A1\",\"qty\":2},{\"sku\":\"B2\",\"qty\":1}]";

    @TempDir
    Path dir;

    static String key(String sdk) {
        return "browser_" + sdk + "_key";
    }

    @BeforeAll
    static void the_test_command_installed_the_browser_and_the_sdks() {
        assertThat(Path.of("/usr/bin/chromium"))
                .as("Debian's chromium (./test.sh installs it)")
                .exists();
        assertThat(TestPages.NODE_MODULES.resolve("playwright-core"))
                .as("npm packages (./test.sh runs npm ci in tools/browser)")
                .exists();
    }

    @Test
    void every_sdk_works_from_another_origin_over_http() throws Exception {
        runAll(false);
    }

    @Test
    void every_sdk_works_from_an_https_page_against_the_tls_port() throws Exception {
        runAll(true);
    }

    private void runAll(boolean https) throws Exception {
        StringBuilder keys = new StringBuilder();
        for (String sdk : SDKS)
            keys.append(keys.length() == 0 ? "" : ",")
                    .append(key(sdk))
                    .append('=')
                    .append(sdk);
        Instant start = Instant.now();
        try (InProcessServer s = new InProcessServer(
                        dir.resolve("catchment"),
                        keys.toString(),
                        AK,
                        "tls.self_signed",
                        String.valueOf(https),
                        "tls.port",
                        "0");
                TestPages site = new TestPages(https ? dir.resolve("site-tls") : null)) {
            String catchment = https ? "https://127.0.0.1:" + s.server.tlsPort() : s.base;
            String scheme = https ? "https" : "http";
            List<String> pages = new ArrayList<>();
            for (String sdk : SDKS) {
                pages.add(site.origin + "/" + sdk + ".html?catchment=" + catchment + "&key=" + key(sdk) + "&run="
                        + run(sdk, scheme));
            }
            JsonNode results = drive(pages, https);
            for (JsonNode page : results.path("results")) browserSawNoError(page, catchment);
            for (String sdk : SDKS) rowsAreComplete(s.base, sdk, run(sdk, scheme), start);
            unknownKeysGetTheVendorsRefusalReadableByThePage(s.base, site.origin);
        }
    }

    private static String run(String sdk, String scheme) {
        return sdk + "-" + scheme;
    }

    /** Runs tools/browser/drive.mjs; returns its JSON (per page: outcome, console messages, requests and answers). */
    private JsonNode drive(List<String> pages, boolean https) throws Exception {
        String spec = EventJson.MAPPER.writeValueAsString(Map.of("pages", pages, "ignoreCertificateErrors", https));
        Path out = dir.resolve("drive-" + https + ".json");
        Path err = dir.resolve("drive-" + https + ".log");
        Process p = new ProcessBuilder("node", "tools/browser/drive.mjs", spec)
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
        assertThat(p.exitValue()).as("drive.mjs: " + Files.readString(err)).isZero();
        return EventJson.MAPPER.readTree(Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void browserSawNoError(JsonNode page, String catchment) {
        String url = page.path("url").asText();
        assertThat(page.path("outcome").asText()).as(url + ": " + page).isEqualTo("done");
        for (JsonNode c : page.path("console")) {
            assertThat(c.path("type").asText())
                    .as(url + " console: " + c.path("text").asText())
                    .isNotIn("error", "pageerror");
        }
        int toCatchment = 0;
        for (JsonNode r : page.path("requests")) {
            String u = r.path("url").asText();
            assertThat(r.has("failure")).as(url + " request failed: " + r).isFalse();
            assertThat(r.path("status").asInt()).as(url + " answer to " + u).isBetween(200, 399);
            assertThat(u)
                    .as(url + ": the SDK talks only to the page's site and Catchment")
                    .satisfiesAnyOf(
                            x -> assertThat(x).startsWith(catchment),
                            x -> assertThat(x)
                                    .startsWith(page.path("url").asText().replaceAll("^(https?://[^/]+).*", "$1")));
            if (u.startsWith(catchment)) toCatchment++;
        }
        assertThat(toCatchment)
                .as(url + ": requests to Catchment the page saw answered")
                .isPositive();
    }

    private static JsonNode one(String base, String sql) throws Exception {
        JsonNode rows = Http.sql(base, AK, sql);
        assertThat(rows.size()).as(sql + " → " + rows).isEqualTo(1);
        return rows.get(0);
    }

    private static void rowsAreComplete(String base, String sdk, String run, Instant start) throws Exception {
        String user = "user-" + run;
        String where = "source = '" + sdk + "' AND properties_run = '" + run + "'";
        assertThat(Http.eventually(
                        Duration.ofSeconds(30),
                        () -> Http.sql(base, AK, "SELECT 1 FROM page_left WHERE " + where)
                                                .size()
                                        == 1
                                && Http.sql(base, AK, "SELECT 1 FROM users WHERE user_id = '" + user + "'")
                                                .size()
                                        == 1))
                .as(sdk + ": the unload event and the user arrive")
                .isTrue();

        JsonNode o = one(
                base,
                "SELECT user_id, anonymous_id, properties_order_id, properties_order_total, "
                        + "properties_order_items::VARCHAR, properties_order_shipping_address_city, "
                        + "properties_order_shipping_address_geo_lat, properties_order_shipping_address_geo_lng, properties_note, "
                        + "properties_first, type, id, timestamp::VARCHAR, received_at >= TIMESTAMPTZ '" + start + "' "
                        + "FROM order_completed WHERE " + where);
        assertThat(o.get(0).asText()).as(sdk + " user_id").isEqualTo(user);
        assertThat(o.get(2).asText()).as(sdk + " order id").isEqualTo("o-" + run);
        assertThat(o.get(3).asDouble()).as(sdk + " total").isEqualTo(20.5);
        assertThat(EventJson.MAPPER.readTree(o.get(4).asText()))
                .as(sdk + " items")
                .isEqualTo(EventJson.MAPPER.readTree(ITEMS));
        assertThat(o.get(5).asText()).as(sdk + " 5 levels down").isEqualTo("Zürich");
        assertThat(o.get(6).asDouble()).as(sdk + " lat, 6 levels down").isEqualTo(47.37);
        assertThat(o.get(7).asDouble()).isEqualTo(8.54);
        assertThat(o.get(8).asText()).as(sdk + " CRLF and emoji").isEqualTo(NOTE);
        assertThat(o.get(9).asBoolean()).isTrue();
        assertThat(o.get(10).asText()).isEqualTo("track");
        assertThat(o.get(11).asText()).as(sdk + " id").isNotBlank();
        assertThat(o.get(13).asBoolean()).as(sdk + " received in this run").isTrue();

        JsonNode traits = EventJson.MAPPER.readTree(one(base, "SELECT traits FROM users WHERE user_id = '" + user + "'")
                .get(0)
                .asText());
        assertThat(traits.path(sdk.equals("mixpanel") ? "$email" : "email").asText())
                .as(sdk + " traits " + traits)
                .isEqualTo("ana@example.com");
        assertThat(traits.path("plan").asText()).as(sdk + " traits " + traits).isEqualTo("pro");

        // the SDK's automatic events (page views, sessions), in events with the same visitor
        String anon = o.get(1).isNull() ? null : o.get(1).asText();
        List<String> names = new ArrayList<>();
        for (JsonNode r : Http.sql(
                base,
                AK,
                "SELECT coalesce(event, type) FROM events WHERE source = '" + sdk + "' AND (" + "user_id = '" + user
                        + "'" + (anon == null ? "" : " OR anonymous_id = '" + anon + "'") + ") ORDER BY timestamp")) {
            names.add(r.get(0).asText());
        }
        List<String> expected = switch (sdk) {
            case "segment" -> List.of("Home", "identify", "Order Completed", "Page Left");
            case "amplitude" ->
                List.of("session_start", "[Amplitude] Page Viewed", "identify", "Order Completed", "Page Left");
            case "mixpanel" -> List.of("$mp_web_page_view", "identify", "$identify", "Order Completed", "Page Left");
            default -> List.of("$pageview", "identify", "Order Completed", "$autocapture", "Page Left", "$pageleave");
        };
        assertThat(names).as(sdk + " events").containsAll(expected);
        if (sdk.equals("segment")) {
            JsonNode page = one(
                    base,
                    "SELECT event, properties_name, properties_category, properties_path, id FROM pages WHERE "
                            + where);
            assertThat(page.get(0).asText()).isEqualTo("Home");
            assertThat(page.get(1).asText()).isEqualTo("Home");
            assertThat(page.get(2).asText()).isEqualTo("Docs");
            assertThat(page.get(3).asText()).isEqualTo("/segment.html");
            JsonNode context = one(
                    base,
                    "SELECT context_page_path, context_page_title FROM events WHERE id = '"
                            + page.get(4).asText() + "'");
            assertThat(context.get(0).asText()).isEqualTo("/segment.html");
            assertThat(context.get(1).asText()).isEqualTo("Segment analytics-next");
        }
        if (anon != null) {
            assertThat(Http.sql(
                                    base,
                                    AK,
                                    "SELECT DISTINCT anonymous_id FROM events WHERE source = '" + sdk
                                            + "' AND user_id = '" + user + "' AND anonymous_id IS NOT NULL")
                            .size())
                    .as(sdk + ": one visitor")
                    .isEqualTo(1);
        }
    }

    /** A page must be able to read a refusal: wrong keys get the vendor's answer, with CORS headers. */
    private static void unknownKeysGetTheVendorsRefusalReadableByThePage(String base, String origin) throws Exception {
        for (String path : List.of(
                "/v1/projects/nope_not_a_key/settings",
                "/config/nope_not_a_key?config_group=browser",
                "/array/nope_not_a_key/config.js")) {
            var r = Http.CLIENT.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                            .header("Origin", origin)
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isIn(401, 404);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin"))
                    .as(path)
                    .contains(origin);
        }
    }
}
