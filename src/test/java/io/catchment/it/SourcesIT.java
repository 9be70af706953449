package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.Server;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendor endpoints on the real server: requests captured from the official SDKs replayed byte for byte, and each
 * endpoint's documented error answers.
 */
@Timeout(120)
class SourcesIT {
    static final String AK = "sources-it-admin";
    static final String KEYS = "SEGMENT_WRITE_KEY=segment,AMPLITUDE_API_KEY=amplitude,MIXPANEL_PROJECT_TOKEN=mixpanel,"
            + "phc_PROJECT_API_KEY=posthog";

    @TempDir
    Path dir;

    InProcessServer running;
    Server server;
    String base;

    @BeforeEach
    void start() throws Exception {
        running = new InProcessServer(dir, KEYS, AK);
        server = running.server;
        base = running.base;
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    /** A captured request: request line, headers and body as the SDK sent them. */
    record Capture(String method, String target, Map<String, String> headers, byte[] body) {}

    static Capture capture(String resource) throws Exception {
        byte[] all;
        try (InputStream in = SourcesIT.class.getResourceAsStream("/sdk-captures/" + resource)) {
            all = in.readAllBytes();
        }
        String text = new String(all, StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        String[] head = text.substring(0, split).split("\r\n");
        String[] line = head[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            int c = head[i].indexOf(':');
            headers.put(head[i].substring(0, c).trim(), head[i].substring(c + 1).trim());
        }
        String body = text.substring(split + 4);
        boolean gzip = body.startsWith("### body was gzip");
        if (gzip) body = body.substring(body.indexOf('\n') + 1);
        int notes = body.indexOf("\n### form fields decoded");
        if (notes >= 0) body = body.substring(0, notes);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (gzip) bytes = gzip(bytes);
        return new Capture(line[0], line[1], headers, bytes);
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private Http.Reply replay(String resource) throws Exception {
        Capture c = capture(resource);
        Map<String, String> headers = new LinkedHashMap<>(c.headers());
        for (String h : List.of("Host", "Content-Length", "Connection")) headers.remove(h);
        return Http.post(base + c.target(), null, c.body(), headers);
    }

    private JsonNode sql(String q) throws Exception {
        return Http.sql(base, AK, q);
    }

    private void awaitRows(String table, String where, int n) throws Exception {
        assertThat(Http.eventually(
                        Duration.ofSeconds(10),
                        () -> sql("SELECT count(*) FROM " + table + " WHERE " + where)
                                        .get(0)
                                        .get(0)
                                        .asInt()
                                == n))
                .as("%d rows in %s where %s", n, table, where)
                .isTrue();
    }

    @Test
    void captured_sdk_requests_replay_byte_for_byte_with_each_vendors_answer() throws Exception {
        for (String f : List.of("segment/01-track-POST-v1_import.http", "segment/02-batch-POST-v1_import.http")) {
            Http.Reply r = replay(f);
            assertThat(r.status()).as(f + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"success\":true}");
        }
        for (String f : List.of(
                "amplitude/01-track-POST-2_httpapi.http",
                "amplitude/02-batch-POST-2_httpapi.http",
                "amplitude/03-batchmode-POST-batch.http")) {
            Http.Reply r = replay(f);
            assertThat(r.status()).as(f + ": " + r.body()).isEqualTo(200);
            assertThat(r.json().get("code").asInt()).isEqualTo(200);
            assertThat(r.json().get("events_ingested").asInt()).isPositive();
            assertThat(r.json().has("payload_size_bytes")).isTrue();
            assertThat(r.json().has("server_upload_time")).isTrue();
        }
        for (String f : List.of(
                "mixpanel/01-track-POST-track_ip_0.http",
                "mixpanel/02-batch-POST-track_ip_0.http",
                "mixpanel/03-batch-POST-engage_ip_0.http",
                "mixpanel/05-gzip-POST-track_ip_0.http")) {
            Http.Reply r = replay(f);
            assertThat(r.status()).as(f + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("1");
        }
        Http.Reply imp = replay("mixpanel/04-import-POST-import_strict_1.http");
        assertThat(imp.status()).as(imp.body()).isEqualTo(200);
        assertThat(imp.json().get("num_records_imported").asInt()).isEqualTo(1);
        for (String f : List.of(
                "posthog-java/01-track-POST-batch.http",
                "posthog-java/02-batch-POST-batch.http",
                "posthog-server/01-track-POST-batch.http",
                "posthog-server/02-batch-POST-batch.http")) {
            Http.Reply r = replay(f);
            assertThat(r.status()).as(f + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\":1}");
        }

        // Segment: 5 orders, Amplitude 9 (1+6+... per capture), Mixpanel 6, PostHog 2 x 5
        awaitRows("order_completed", "source = 'segment'", 5);
        awaitRows("order_completed", "source = 'mixpanel'", 6);
        awaitRows("order_completed", "source = 'posthog'", 10);
        int amplitude = sql("SELECT count(*) FROM order_completed WHERE source = 'amplitude'")
                .get(0)
                .get(0)
                .asInt();
        assertThat(amplitude)
                .isEqualTo(1
                        + countOf("amplitude/02-batch-POST-2_httpapi.http")
                        + countOf("amplitude/03-batchmode-POST-batch.http"));

        JsonNode seg = sql("SELECT o.user_id, o.properties_revenue, o.properties_currency, o.properties_order_id, "
                        + "e.context_library_name, o.id FROM order_completed o JOIN events e USING (id) "
                        + "WHERE o.source = 'segment' AND o.properties_order_id = 'o-1'")
                .get(0);
        assertThat(seg.get(0).asText()).isEqualTo("user-1");
        assertThat(seg.get(1).asDouble()).isEqualTo(20.99);
        assertThat(seg.get(4).asText()).isEqualTo("analytics-java");
        assertThat(seg.get(5).asText()).isEqualTo("26c41ae9-5153-45ae-9c03-1a9c7d026fce");

        JsonNode amp = sql("SELECT o.user_id, o.properties_revenue, e.context_library, e.context_session_id, o.id "
                        + "FROM order_completed o JOIN events e USING (id) "
                        + "WHERE o.source = 'amplitude' AND o.properties_order_id = 'o-1'")
                .get(0);
        assertThat(amp.get(0).asText()).isEqualTo("user-1");
        assertThat(amp.get(1).asDouble()).isEqualTo(20.99);
        assertThat(amp.get(2).asText()).isEqualTo("amplitude-java/1.13.0");
        assertThat(amp.get(3).asLong()).isEqualTo(-1);
        assertThat(amp.get(4).asText()).isEqualTo("2d460f0f-d294-441b-a2bd-ac83981154a9");

        JsonNode mp = sql("SELECT user_id, properties_revenue, properties_mp_lib, \"timestamp\" FROM order_completed "
                        + "WHERE source = 'mixpanel' AND properties_order_id = 'o-1'")
                .get(0);
        assertThat(mp.get(0).asText()).isEqualTo("user-1");
        assertThat(mp.get(2).asText()).isEqualTo("jdk");
        assertThat(mp.get(3).asText()).isEqualTo("2026-11-22T05:25:41Z");
        assertThat(sql("SELECT id FROM order_completed WHERE properties_order_id = 'o-5' AND source = 'mixpanel'")
                        .get(0)
                        .get(0)
                        .asText())
                .isEqualTo("ins-5");

        JsonNode ph = sql("SELECT user_id, properties_lib, properties_lib_version, id FROM order_completed "
                        + "WHERE source = 'posthog' AND properties_order_id = 'o-1' AND properties_lib = 'posthog-server'")
                .get(0);
        assertThat(ph.get(0).asText()).isEqualTo("user-1");
        assertThat(ph.get(2).asText()).isEqualTo("2.3.3");
        assertThat(ph.get(3).asText()).isEqualTo("01a201b7-a242-70f7-b024-79fc45ef6473");

        // identity calls land in identifies and in users
        awaitRows("identifies", "user_id = 'user-2'", 4); // Segment identify, Mixpanel engage, 2 PostHog $identify
        assertThat(Http.eventually(
                        Duration.ofSeconds(10),
                        () -> sql("SELECT traits->>'email' FROM users " + "WHERE user_id = 'user-2'")
                                .get(0)
                                .get(0)
                                .asText()
                                .equals("u2@example.com")))
                .isTrue();
        assertThat(sql("SELECT traits->>'plan' FROM users WHERE user_id = 'user-2'")
                        .get(0)
                        .get(0)
                        .asText())
                .isEqualTo("pro");
    }

    private static int countOf(String capture) throws Exception {
        return io.catchment.event.EventJson.MAPPER
                .readTree(capture(capture).body())
                .get("events")
                .size();
    }

    @Test
    void segment_errors_have_segments_shape() throws Exception {
        Http.Reply noUser = Http.post(base + "/v1/track", null, "{\"writeKey\":\"SEGMENT_WRITE_KEY\",\"event\":\"x\"}");
        assertThat(noUser.status()).isEqualTo(400);
        assertThat(noUser.json().get("success").asBoolean()).isFalse();
        assertThat(noUser.json().get("error").asText()).contains("userId or anonymousId");
        Http.Reply badKey =
                Http.post(base + "/v1/track/", null, "{\"writeKey\":\"nope\",\"event\":\"x\",\"userId\":\"u\"}");
        assertThat(badKey.status()).isEqualTo(401);
        assertThat(badKey.json().get("success").asBoolean()).isFalse();
        String basic =
                "Basic " + Base64.getEncoder().encodeToString("SEGMENT_WRITE_KEY:".getBytes(StandardCharsets.UTF_8));
        Http.Reply ok = Http.post(
                base + "/v1/identify",
                null,
                "{\"userId\":\"u9\",\"traits\":{\"name\":\"N\"}}".getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", basic));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        Http.Reply big = Http.post(
                base + "/v1/track",
                null,
                ("{\"writeKey\":\"SEGMENT_WRITE_KEY\",\"userId\":\"u\"," + "\"event\":\"x\",\"properties\":{\"p\":\""
                                + "x".repeat(33_000) + "\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                Map.of());
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.json().get("error").asText()).contains("32768");
        Http.Reply malformed = Http.post(base + "/v1/batch", null, "{\"writeKey\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("success").asBoolean()).isFalse();
    }

    @Test
    void amplitude_errors_list_events_by_field() throws Exception {
        String events = "[{\"event_type\":\"a\",\"user_id\":\"user-1\",\"time\":1700000000000},"
                + "{\"event_type\":\"a\",\"user_id\":\"user-1\",\"time\":\"yesterday\"},"
                + "{\"user_id\":\"user-1\"},"
                + "{\"event_type\":\"a\",\"device_id\":\"null\"},"
                + "{\"event_type\":\"a\",\"user_id\":\"abc\"}]";
        Http.Reply r =
                Http.post(base + "/2/httpapi", null, "{\"api_key\":\"AMPLITUDE_API_KEY\",\"events\":" + events + "}");
        assertThat(r.status()).isEqualTo(400);
        JsonNode b = r.json();
        assertThat(b.get("code").asInt()).isEqualTo(400);
        assertThat(b.get("events_with_invalid_fields").get("time").toString()).isEqualTo("[1]");
        assertThat(b.get("events_with_missing_fields").get("event_type").toString())
                .isEqualTo("[2]");
        assertThat(b.get("events_with_invalid_fields").get("device_id").toString())
                .isEqualTo("[3]");
        assertThat(b.get("events_with_invalid_fields").get("user_id").toString())
                .isEqualTo("[4]");
        Http.Reply shortOk = Http.post(
                base + "/2/httpapi",
                null,
                "{\"api_key\":\"AMPLITUDE_API_KEY\",\"events\":"
                        + "[{\"event_type\":\"a\",\"user_id\":\"abc\"}],\"options\":{\"min_id_length\":3}}");
        assertThat(shortOk.status()).as(shortOk.body()).isEqualTo(200);
        Http.Reply noKey = Http.post(base + "/2/httpapi", null, "{\"events\":[]}");
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.json().get("missing_field").asText()).isEqualTo("api_key");
        Http.Reply badKey = Http.post(
                base + "/batch",
                null,
                "{\"api_key\":\"nope\",\"events\":[{\"event_type\":\"a\"," + "\"user_id\":\"user-1\"}]}");
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.json().get("error").asText()).startsWith("Invalid API key");
        Http.Reply tooBig = Http.post(
                base + "/2/httpapi",
                null,
                "{\"api_key\":\"AMPLITUDE_API_KEY\",\"events\":[{\"x\":\"" + "y".repeat(1_100_000) + "\"}]}");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.json().get("error").asText()).isEqualTo("Payload too large");
    }

    @Test
    void mixpanel_get_verbose_errors_and_strict_import() throws Exception {
        String data = Base64.getEncoder()
                .encodeToString(("{\"event\":\"Signed Up\",\"properties\":{\"token\":"
                                + "\"MIXPANEL_PROJECT_TOKEN\",\"distinct_id\":\"u-get\",\"time\":1700000000}}")
                        .getBytes(StandardCharsets.UTF_8));
        Http.Reply get = Http.get(
                base + "/track?ip=0&verbose=1&data=" + java.net.URLEncoder.encode(data, StandardCharsets.UTF_8));
        assertThat(get.status()).as(get.body()).isEqualTo(200);
        assertThat(get.json().get("status").asInt()).isEqualTo(1);
        String badToken = Base64.getEncoder()
                .encodeToString("[{\"event\":\"x\",\"properties\":{\"token\":\"nope\",\"distinct_id\":\"u\"}}]"
                        .getBytes(StandardCharsets.UTF_8));
        Http.Reply plain = Http.post(
                base + "/track",
                null,
                ("data=" + badToken).getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(plain.status()).isEqualTo(401);
        assertThat(plain.body()).isEqualTo("0");
        Http.Reply verbose = Http.post(
                base + "/track?verbose=1",
                null,
                ("data=" + badToken).getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(verbose.json().get("status").asInt()).isEqualTo(0);
        assertThat(verbose.json().get("error").asText()).contains("token");
        Http.Reply notBase64 = Http.post(
                base + "/track",
                null,
                "data=%%%".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(notBase64.status()).isEqualTo(400);
        assertThat(notBase64.body()).isEqualTo("0");

        String basic = "Basic "
                + Base64.getEncoder().encodeToString("MIXPANEL_PROJECT_TOKEN:".getBytes(StandardCharsets.UTF_8));
        String ndjson =
                "{\"event\":\"Imported\",\"properties\":{\"time\":1700000000,\"distinct_id\":\"u1\",\"$insert_id\":\"i-1\"}}\n"
                        + "{\"event\":\"Imported\",\"properties\":{\"time\":1700000001,\"distinct_id\":\"u1\"}}\n";
        Http.Reply strict = Http.post(
                base + "/import?strict=1",
                null,
                ndjson.getBytes(StandardCharsets.UTF_8),
                Map.of("Authorization", basic));
        assertThat(strict.status()).isEqualTo(400);
        assertThat(strict.json().get("num_records_imported").asInt()).isEqualTo(1);
        JsonNode failed = strict.json().get("failed_records").get(0);
        assertThat(failed.get("index").asInt()).isEqualTo(1);
        assertThat(failed.get("field").asText()).isEqualTo("properties.$insert_id");
        awaitRows("imported", "id = 'i-1'", 1);
        assertThat(sql("SELECT \"timestamp\" FROM imported WHERE id = 'i-1'")
                        .get(0)
                        .get(0)
                        .asText())
                .startsWith("2023-11-14T22:13:20");
        Http.Reply noAuth = Http.post(base + "/import", null, "[]");
        assertThat(noAuth.status()).isEqualTo(401);
        assertThat(noAuth.json().get("status").asText()).isEqualTo("Unauthorized");
    }

    @Test
    void posthog_bodies_compressions_and_errors() throws Exception {
        String event = "{\"api_key\":\"phc_PROJECT_API_KEY\",\"event\":\"clicked\",\"distinct_id\":\"ph-1\","
                + "\"properties\":{\"button\":\"b1\",\"$set_once\":{\"first_button\":\"b1\"}}}";
        assertThat(Http.post(base + "/capture/", null, event).body()).isEqualTo("{\"status\":1}");
        assertThat(Http.post(base + "/i/v0/e/", null, "[" + event.replace("b1", "b2") + "]")
                        .status())
                .isEqualTo(200);
        Http.Reply b64 = Http.post(
                base + "/e/?compression=base64",
                null,
                Base64.getEncoder().encodeToString(event.replace("b1", "b3").getBytes(StandardCharsets.UTF_8)));
        assertThat(b64.status()).as(b64.body()).isEqualTo(200);
        Http.Reply gz = Http.post(
                base + "/e?compression=gzip-js",
                null,
                gzip(event.replace("b1", "b4").getBytes(StandardCharsets.UTF_8)),
                Map.of());
        assertThat(gz.status()).as(gz.body()).isEqualTo(200);
        // lz-string's compressToBase64 of "hello world" is a known vector: not JSON, so a 400 naming the problem
        Http.Reply lz = Http.post(base + "/e?compression=lz64", null, "BYUwNmD2AEDukCcwBMg=");
        assertThat(lz.status()).isEqualTo(400);
        assertThat(lz.json().get("type").asText()).isEqualTo("validation_error");
        Http.Reply form = Http.post(
                base + "/track",
                null,
                ("data="
                                + java.net.URLEncoder.encode(
                                        Base64.getEncoder()
                                                .encodeToString(event.replace("b1", "b5")
                                                        .getBytes(StandardCharsets.UTF_8)),
                                        StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.status()).as(form.body()).isEqualTo(200);
        awaitRows("clicked", "user_id = 'ph-1'", 5);
        String once = sql("SELECT column_name FROM _columns WHERE table_name = 'clicked' "
                        + "AND source = '/traits/$set_once/first_button'")
                .get(0)
                .get(0)
                .asText();
        assertThat(sql("SELECT count(*) FROM clicked WHERE \"" + once + "\" = 'b1'")
                        .get(0)
                        .get(0)
                        .asInt())
                .isEqualTo(1);
        assertThat(Http.eventually(
                        Duration.ofSeconds(5),
                        () -> sql("SELECT traits->>'first_button' FROM users " + "WHERE user_id = 'ph-1'")
                                .get(0)
                                .get(0)
                                .asText()
                                .equals("b1")))
                .isTrue();

        Http.Reply noDistinct = Http.post(
                base + "/batch", null, "{\"api_key\":\"phc_PROJECT_API_KEY\",\"batch\":" + "[{\"event\":\"x\"}]}");
        assertThat(noDistinct.status()).isEqualTo(400);
        assertThat(noDistinct.json().get("type").asText()).isEqualTo("validation_error");
        assertThat(noDistinct.json().get("detail").asText()).contains("distinct_id");
        Http.Reply badKey = Http.post(
                base + "/batch/",
                null,
                "{\"api_key\":\"phc_nope\",\"batch\":[{\"event\":\"x\"," + "\"distinct_id\":\"d\"}]}");
        assertThat(badKey.status()).isEqualTo(401);
        assertThat(badKey.json().get("type").asText()).isEqualTo("authentication_error");
        Http.Reply empty = Http.post(base + "/batch", null, "{\"api_key\":\"phc_PROJECT_API_KEY\",\"batch\":[]}");
        assertThat(empty.status()).isEqualTo(400);
        Http.Reply notJson = Http.post(base + "/capture", null, "not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("code").asText()).isEqualTo("invalid_payload");
    }
}
