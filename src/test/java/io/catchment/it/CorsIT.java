package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Browsers on other origins can send events and read every answer; they can never use the admin routes. */
@Timeout(120)
class CorsIT {
    static final String KEY = "cors_write_key";
    static final String ADMIN = "cors_admin_key";
    static final String SHOP = "http://127.0.0.1:5173";

    @TempDir
    Path dir;

    private static HttpResponse<String> send(String method, String url, String origin, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) b.header("Origin", origin);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> preflight(String url, String origin) throws Exception {
        return send(
                "OPTIONS",
                url,
                origin,
                null,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "content-type, authorization, x-custom");
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void every_ingestion_route_answers_preflights_and_every_answer_is_readable_by_the_page() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, KEY, ADMIN)) {
            for (String path : List.of(
                    "/v1/events",
                    "/v1/batch",
                    "/v1/track",
                    "/2/httpapi",
                    "/batch",
                    "/track",
                    "/engage",
                    "/import",
                    "/capture",
                    "/e/",
                    "/i/v0/e/")) {
                HttpResponse<String> p = preflight(s.base + path, SHOP);
                assertThat(p.statusCode()).as(path).isEqualTo(204);
                assertThat(header(p, "Access-Control-Allow-Origin")).as(path).isEqualTo(SHOP);
                assertThat(header(p, "Access-Control-Allow-Methods")).as(path).contains("POST");
                assertThat(header(p, "Access-Control-Allow-Headers"))
                        .as(path)
                        .isEqualTo("content-type, authorization, x-custom");
                assertThat(header(p, "Access-Control-Max-Age")).as(path).isEqualTo("86400");
                assertThat(header(p, "Access-Control-Allow-Credentials"))
                        .as(path)
                        .isEqualTo("true");
                assertThat(p.headers().allValues("Vary")).as(path).anyMatch(v -> v.contains("Origin"));
            }
            String event = "{\"event\":\"Viewed\",\"userId\":\"u\"}";
            HttpResponse<String> ok =
                    send("POST", s.base + "/v1/events", SHOP, event, "Authorization", "Bearer " + KEY);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "Access-Control-Allow-Origin")).isEqualTo(SHOP);
            HttpResponse<String> bad = send("POST", s.base + "/v1/events", SHOP, "{", "Authorization", "Bearer " + KEY);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(header(bad, "Access-Control-Allow-Origin")).isEqualTo(SHOP);
            HttpResponse<String> nokey = send("POST", s.base + "/v1/events", SHOP, event);
            assertThat(nokey.statusCode()).isEqualTo(401);
            assertThat(header(nokey, "Access-Control-Allow-Origin")).isEqualTo(SHOP);
            assertThat(header(nokey, "Access-Control-Expose-Headers")).contains("Retry-After");
            HttpResponse<String> amplitude =
                    send("POST", s.base + "/2/httpapi", SHOP, "{\"api_key\":\"wrong\",\"events\":[]}");
            assertThat(amplitude.statusCode()).isBetween(400, 499);
            assertThat(header(amplitude, "Access-Control-Allow-Origin")).isEqualTo(SHOP);
            HttpResponse<String> plain =
                    send("POST", s.base + "/v1/events", null, event, "Authorization", "Bearer " + KEY);
            assertThat(header(plain, "Access-Control-Allow-Origin"))
                    .as("no Origin, no CORS")
                    .isNull();
        }
    }

    @Test
    void admin_and_query_routes_give_a_page_nothing_unless_its_origin_is_configured() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, KEY, ADMIN)) {
            for (String path :
                    List.of("/v1/query", "/v1/status", "/v1/schema", "/v1/dlq", "/v1/dlq/replay", "/metrics")) {
                HttpResponse<String> p = preflight(s.base + path, SHOP);
                assertThat(p.statusCode()).as(path).isEqualTo(403);
                assertThat(header(p, "Access-Control-Allow-Origin")).as(path).isNull();
            }
            HttpResponse<String> status =
                    send("GET", s.base + "/v1/status", SHOP, null, "Authorization", "Bearer " + ADMIN);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(header(status, "Access-Control-Allow-Origin"))
                    .as("the browser must hide this answer")
                    .isNull();
        }
        try (InProcessServer s = new InProcessServer(
                dir.resolve("b"),
                KEY,
                ADMIN,
                "cors.allowed_origins",
                "https://shop.example",
                "cors.admin_origins",
                "https://console.example")) {
            assertThat(preflight(s.base + "/v1/events", "https://shop.example").statusCode())
                    .isEqualTo(204);
            HttpResponse<String> other = preflight(s.base + "/v1/events", SHOP);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(header(other, "Access-Control-Allow-Origin")).isNull();
            assertThat(other.body()).contains("cors.allowed_origins");
            HttpResponse<String> console = preflight(s.base + "/v1/query", "https://console.example");
            assertThat(console.statusCode()).isEqualTo(204);
            assertThat(header(console, "Access-Control-Allow-Origin")).isEqualTo("https://console.example");
            assertThat(preflight(s.base + "/v1/query", "https://shop.example").statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void segment_settings_send_events_back_through_the_host_the_page_reached() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, KEY, ADMIN)) {
            HttpResponse<String> direct = send("GET", s.base + "/v1/projects/" + KEY + "/settings", SHOP, null);
            assertThat(direct.statusCode()).isEqualTo(200);
            com.fasterxml.jackson.databind.JsonNode seg = io.catchment.event.EventJson.MAPPER
                    .readTree(direct.body())
                    .path("integrations")
                    .path("Segment.io");
            assertThat(seg.path("apiHost").asText()).isEqualTo(s.base.substring("http://".length()) + "/v1");
            assertThat(seg.path("protocol").asText()).isEqualTo("http");
            assertThat(seg.path("apiKey").asText()).isEqualTo(KEY);
            HttpResponse<String> proxied = send(
                    "GET",
                    s.base + "/v1/projects/" + KEY + "/settings",
                    SHOP,
                    null,
                    "X-Forwarded-Host",
                    "events.example.com",
                    "X-Forwarded-Proto",
                    "https");
            seg = io.catchment.event.EventJson.MAPPER
                    .readTree(proxied.body())
                    .path("integrations")
                    .path("Segment.io");
            assertThat(seg.path("apiHost").asText()).isEqualTo("events.example.com/v1");
            assertThat(seg.path("protocol").asText()).isEqualTo("https");
            HttpResponse<String> forged = send(
                    "GET",
                    s.base + "/v1/projects/" + KEY + "/settings",
                    SHOP,
                    null,
                    "X-Forwarded-Host",
                    "evil.example/\"><script>",
                    "X-Forwarded-Proto",
                    "javascript");
            seg = io.catchment.event.EventJson.MAPPER
                    .readTree(forged.body())
                    .path("integrations")
                    .path("Segment.io");
            assertThat(seg.path("apiHost").asText())
                    .as("not a host name: ignored")
                    .isEqualTo(s.base.substring(7) + "/v1");
            assertThat(seg.path("protocol").asText()).isEqualTo("http");
            HttpResponse<String> unknown = send("GET", s.base + "/v1/projects/nope_nope_nope/settings", SHOP, null);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(header(unknown, "Access-Control-Allow-Origin")).isEqualTo(SHOP);
        }
    }
}
