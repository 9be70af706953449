package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.Server;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real server on a free port with a temp data dir, over HTTP. */
@Timeout(120)
class ServerIT {
    static final String WK = "server-it-write-1";
    static final String AK = "server-it-admin-1";

    @TempDir
    Path dir;

    InProcessServer running;
    Server server;
    String base;

    @BeforeEach
    void start() throws Exception {
        running = new InProcessServer(dir, WK + "=web", AK, "log.max_bytes", "2MB", "log.segment_bytes", "256KB");
        server = running.server;
        base = running.base;
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    private Http.Reply events(String body) throws Exception {
        return Http.post(base + "/v1/events", WK, body);
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void posted_events_are_queryable_within_two_seconds() throws Exception {
        Http.Reply r = events("{\"id\":\"e1\",\"event\":\"Order Completed\",\"userId\":\"u1\","
                + "\"properties\":{\"revenue\":20.5,\"coupon\":{\"code\":\"X\"}},\"context\":{\"ip\":\"1.2.3.4\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
        long start = System.nanoTime();
        assertThat(Http.eventually(
                        Duration.ofSeconds(2),
                        () -> Http.sql(base, AK, "SELECT count(*) FROM order_completed")
                                        .get(0)
                                        .get(0)
                                        .asInt()
                                == 1))
                .isTrue();
        assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(2).toNanos());
        JsonNode row = Http.sql(
                        base,
                        AK,
                        "SELECT user_id, properties_revenue, properties_coupon_code, source FROM order_completed")
                .get(0);
        assertThat(row.get(0).asText()).isEqualTo("u1");
        assertThat(row.get(1).asDouble()).isEqualTo(20.5);
        assertThat(row.get(2).asText()).isEqualTo("X");
        assertThat(row.get(3).asText()).isEqualTo("web");
        assertThat(Http.sql(base, AK, "SELECT context_ip FROM events WHERE id = 'e1'")
                        .get(0)
                        .get(0)
                        .asText())
                .isEqualTo("1.2.3.4");
    }

    @Test
    void arrays_ndjson_gzip_and_basic_auth_are_accepted() throws Exception {
        assertThat(events("[{\"event\":\"a\"},{\"event\":\"b\"}]")
                        .json()
                        .get("accepted")
                        .asInt())
                .isEqualTo(2);
        assertThat(events("{\"event\":\"a\"}\n{\"event\":\"b\"}\n{\"event\":\"c\"}\n")
                        .json()
                        .get("accepted")
                        .asInt())
                .isEqualTo(3);
        Http.Reply gz = Http.post(
                base + "/v1/events",
                WK,
                gzip("{\"event\":\"g\"}".getBytes(StandardCharsets.UTF_8)),
                Map.of("Content-Encoding", "gzip"));
        assertThat(gz.status()).isEqualTo(200);
        String basic = Base64.getEncoder().encodeToString((WK + ":").getBytes(StandardCharsets.UTF_8));
        Http.Reply b = Http.post(
                base + "/v1/events",
                null,
                "{\"event\":\"basic\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", "Basic " + basic));
        assertThat(b.status()).isEqualTo(200);
        assertThat(Http.eventually(
                        Duration.ofSeconds(5),
                        () -> Http.sql(base, AK, "SELECT count(*) FROM events")
                                        .get(0)
                                        .get(0)
                                        .asInt()
                                == 7))
                .isTrue();
    }

    @Test
    void bad_input_gets_a_4xx_that_says_what_is_wrong() throws Exception {
        assertProblem(events("{\"event\":"), 400, "malformed JSON");
        assertProblem(events("[{\"event\":\"a\"}, 42]"), 400, "event 1 is not a JSON object");
        assertProblem(events(""), 400, "empty");
        assertProblem(events("[]"), 400, "no events");
        Http.Reply two = events("[{\"event\":\"ok\"},{\"type\":\"track\"},{\"event\":\"x\",\"timestamp\":\"soon\"}]");
        assertProblem(two, 400, "2 of 3 events are invalid");
        assertThat(two.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(two.json().get("errors").get(1).get("field").asText()).isEqualTo("timestamp");
        // (malformed UTF-8 is not refused but becomes U+FFFD: RoundTripIT checks it; an accepted event here would load
        // and break this test's last check, that nothing was loaded)
        assertProblem(
                events("{\"event\":\"n\",\"properties\":{\"x\":0.4e0066999999999999999999999999999999999999999"
                        + "9999999999999999999999999999999999999999999999999999999999999999999999969999999006}}"),
                400,
                "number");
        assertProblem(
                events("{\"event\":\"big\",\"properties\":{\"p\":\"" + "x".repeat(40_000) + "\"}}"), 413, "per event");
        assertProblem(
                events("[" + ("{\"event\":\"e\",\"properties\":{\"p\":\"" + "x".repeat(1000) + "\"}},").repeat(1100)
                        + "{\"event\":\"e\"}]"),
                413,
                "limit");
        byte[] bomb = gzip(new byte[20 << 20]);
        assertProblem(
                Http.post(base + "/v1/events", WK, bomb, Map.of("Content-Encoding", "gzip")),
                413,
                "after gzip decoding");
        assertProblem(
                Http.post(
                        base + "/v1/events",
                        WK,
                        "not gzip".getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Encoding", "gzip")),
                400,
                "gzip");
        assertProblem(
                Http.post(
                        base + "/v1/events",
                        WK,
                        "{}".getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Encoding", "br")),
                415,
                "not supported");
        assertProblem(Http.post(base + "/v1/events", null, "{\"event\":\"a\"}"), 401, "missing write key");
        assertProblem(Http.post(base + "/v1/events", "wrong-key-123", "{\"event\":\"a\"}"), 401, "unknown write key");
        assertProblem(Http.post(base + "/v1/events", AK, "{\"event\":\"a\"}"), 401, "unknown write key");
        assertThat(Http.sql(base, AK, "SELECT count(*) FROM _catchment_offsets")
                        .get(0)
                        .get(0)
                        .asInt())
                .isZero();
    }

    @Test
    void the_query_api_needs_the_admin_key_and_refuses_writes() throws Exception {
        assertProblem(Http.post(base + "/v1/query", WK, "{\"sql\":\"SELECT 1\"}"), 403, "write key cannot read");
        assertProblem(Http.post(base + "/v1/query", null, "{\"sql\":\"SELECT 1\"}"), 401, "admin key");
        assertProblem(Http.post(base + "/v1/query", AK, "{\"sql\":\"DROP TABLE _schema_changes\"}"), 403, "read-only");
        assertProblem(
                Http.post(base + "/v1/query", AK, "{\"sql\":\"SELECT * FROM read_csv('/etc/passwd')\"}"),
                403,
                "not allowed");
        assertProblem(Http.post(base + "/v1/query", AK, "{\"query\":\"SELECT 1\"}"), 400, "sql");
        assertProblem(Http.post(base + "/v1/query", AK, "SELECT 1"), 400, "JSON");
        Http.Reply ok = Http.post(base + "/v1/query", AK, "{\"sql\":\"SELECT 42 AS answer, 'x' AS s\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("columns").get(0).get("name").asText()).isEqualTo("answer");
        assertThat(ok.json().get("rows").get(0).get(0).asInt()).isEqualTo(42);
    }

    @Test
    void a_full_log_answers_503_with_retry_after_and_nothing_acknowledged_is_lost() throws Exception {
        running.close();
        running = new InProcessServer(
                dir.resolve("small"),
                WK,
                AK,
                "log.max_bytes",
                "64KB",
                "log.segment_bytes",
                "16KB",
                "log.retention",
                "1h",
                "loader.batch_wait",
                "500ms");
        server = running.server;
        base = running.base;
        int accepted = 0;
        Http.Reply r = null;
        for (int i = 0; i < 100; i++) {
            r = events("{\"event\":\"fill\",\"properties\":{\"p\":\"" + "x".repeat(4000) + "\"}}");
            if (r.status() != 200) break;
            accepted++;
        }
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(r.json().get("error").asText()).contains("full");
        int expected = accepted;
        assertThat(Http.eventually(
                        Duration.ofSeconds(10),
                        () -> Http.sql(base, AK, "SELECT count(*) FROM fill")
                                        .get(0)
                                        .get(0)
                                        .asInt()
                                == expected))
                .isTrue();
    }

    @Test
    void a_source_over_its_rate_gets_429_with_retry_after_and_every_accepted_event_loads() throws Exception {
        running.close();
        running = new InProcessServer(
                dir.resolve("rate"), WK + "=web,server-it-write-2=app", AK, "limits.events_per_second", "50");
        server = running.server;
        base = running.base;
        String hundred = "["
                + String.join(
                        ",",
                        java.util.stream.IntStream.range(0, 100)
                                .mapToObj(i -> "{\"event\":\"rated\",\"properties\":{\"i\":" + i + "}}")
                                .toList())
                + "]";
        assertThat(events(hundred).status())
                .as("a request larger than the burst is taken whole")
                .isEqualTo(200);
        Http.Reply refused = events("{\"event\":\"rated\"}");
        assertThat(refused.status()).isEqualTo(429);
        long wait =
                Long.parseLong(refused.raw().headers().firstValue("Retry-After").orElseThrow());
        assertThat(wait).isBetween(1L, 2L);
        assertThat(refused.json().get("error").asText())
                .contains("source 'web'", "limits.events_per_second", "retry after");
        assertThat(refused.json().get("accepted").asInt()).isZero();
        Http.Reply other = Http.post(base + "/v1/events", "server-it-write-2", "{\"event\":\"rated\"}");
        assertThat(other.status()).as("another source has its own budget").isEqualTo(200);
        Thread.sleep(wait * 1000);
        assertThat(events("{\"event\":\"rated\",\"properties\":{\"i\":100}}").status())
                .as("after Retry-After")
                .isEqualTo(200);
        assertThat(Http.eventually(
                        Duration.ofSeconds(10),
                        () -> Http.sql(base, AK, "SELECT count(*) FROM rated")
                                        .get(0)
                                        .get(0)
                                        .asInt()
                                == 102))
                .isTrue();
        assertThat(Http.get(base + "/metrics", null).body())
                .contains("catchment_events_rejected_total{reason=\"rate_limited\"} 1.0");
    }

    @Test
    void health_readiness_and_metrics() throws Exception {
        assertThat(Http.get(base + "/healthz").status()).isEqualTo(200);
        Http.Reply ready = Http.get(base + "/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("log").asText()).isEqualTo("open");
        events("{\"event\":\"m\"}");
        events("{\"event\":");
        events("[{\"event\":\"ok\"},{\"type\":\"track\"}]");
        Http.eventually(
                Duration.ofSeconds(5),
                () -> Http.get(base + "/metrics").body().contains("catchment_rows_written_total{table=\"m\"}"));
        String metrics = Http.get(base + "/metrics").body();
        assertThat(metrics)
                .contains(
                        "catchment_events_received_total",
                        "catchment_events_accepted_total 1.0",
                        "catchment_log_bytes",
                        "catchment_log_lag_records",
                        "catchment_loader_batch_events",
                        "catchment_rows_written_total{table=\"m\"}",
                        "catchment_schema_changes_total",
                        "catchment_events_rejected_total{reason=\"invalid\"} 2.0",
                        "catchment_requests_rejected_total{reason=\"invalid\"} 2.0");
        assertThat(Http.eventually(
                        Duration.ofSeconds(10),
                        () -> Http.get(base + "/metrics").body().contains("catchment_log_lag_records 0.0")))
                .isTrue();
        assertThat(Http.get(base + "/nope").status()).isEqualTo(404);
        assertThat(Http.get(base + "/v1/openapi.yaml").body()).contains("openapi: 3", "/v1/events", "/v1/query");
    }

    private static void assertProblem(Http.Reply r, int status, String message) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).as(r.body()).contains(message);
    }
}
