package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Unicode;
import io.catchment.testing.ClickHouseServer;
import io.catchment.testing.ElasticMq;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Any string a client sends is stored and read back exactly (lone surrogates and malformed UTF-8 as U+FFFD, the one
 * rule of {@link Unicode}), as a property value, a nested key, an event name and a user id, through the live API on
 * DuckDB and ClickHouse (the local log), through an SQS log (ElasticMQ, zstd+base64 message bodies) into DuckDB, and
 * through {@code catchment import}: a seeded generator of thousands of strings over every code point, with NUL, CR,
 * LF, CRLF, tabs, quotes, backslashes, the staging dialects' delimiters and 30 KB values.
 * A failure names its seed; {@code -Droundtrip.seed=N} runs that case again.
 */
@Timeout(600)
class RoundTripIT {
    static final String KEY = "roundtrip_write_key";
    static final String ADMIN = "roundtrip_admin_key";
    static final int EVENTS = 2_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static ClickHouseServer clickhouse;
    static ElasticMq elasticmq; // started by the first SQS case

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        clickhouse = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (clickhouse != null) clickhouse.close();
        if (elasticmq != null) elasticmq.close();
    }

    static long seed() {
        String s = System.getProperty("roundtrip.seed");
        return s != null ? Long.parseLong(s) : System.nanoTime();
    }

    private static final String[] SPECIAL = {
        "\0", "\r", "\n", "\r\n", "\t", "\"", "\\", ",", "\\N", "'", "\u2028", "\uFEFF", "\\t", "\\r\\n", "\"\"",
        "\u0085", "\u007f"
    };

    /** A string of any code points, the delimiters and escapes of every staging dialect, and lone surrogates. */
    static String naughty(Random r, boolean loneSurrogates) {
        int len = r.nextInt(50) == 0 ? r.nextInt(30_000) : r.nextInt(24);
        StringBuilder b = new StringBuilder();
        while (b.length() < len) {
            switch (r.nextInt(10)) {
                case 0 -> b.append(SPECIAL[r.nextInt(SPECIAL.length)]);
                case 1 -> b.appendCodePoint(r.nextInt(0x20));
                case 2 -> b.append(loneSurrogates ? (char) (0xD800 + r.nextInt(0x800)) : 'x');
                case 3, 4 -> b.appendCodePoint(0x10000 + r.nextInt(0x100000));
                case 5, 6 -> b.appendCodePoint(r.nextInt(0xD800));
                case 7 -> b.appendCodePoint(0xE000 + r.nextInt(0x2000));
                default -> b.append((char) ('a' + r.nextInt(26)));
            }
        }
        return b.toString();
    }

    /** One generated event and what the store must return for it. */
    record Sent(String id, String name, String user, String value, String key, String keyed) {}

    static List<Sent> generate(long seed, String prefix, int n) {
        Random r = new Random(seed);
        List<Sent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean lone = i % 2 == 0; // sent escaped (\\uXXXX), so a lone surrogate can be sent at all
            String name = naughty(r, lone);
            name = cut(name, 1000);
            if (name.isBlank()) name = "n" + name;
            String user = naughty(r, lone);
            user = cut(user, 200);
            if (user.isEmpty()) user = "u";
            String key = i % 7 == 0 ? naughty(r, lone) : null;
            if (key != null) key = cut(key, 200);
            out.add(new Sent(prefix + i, name, user, naughty(r, lone), key, key == null ? null : naughty(r, lone)));
        }
        return out;
    }

    /** At most {@code n} chars, never splitting a surrogate pair (the generator's cut must not make lone ones). */
    static String cut(String s, int n) {
        if (s.length() <= n) return s;
        return s.substring(0, Character.isHighSurrogate(s.charAt(n - 1)) ? n - 1 : n);
    }

    static ObjectNode event(Sent s) {
        ObjectNode e = JSON.createObjectNode();
        e.put("id", s.id())
                .put("type", "track")
                .put("event", s.name())
                .put("userId", s.user())
                .put("timestamp", "2024-05-01T10:00:00Z");
        ObjectNode props = e.putObject("properties");
        props.put("v", s.value());
        var arr =
                props.putArray("arr"); // the same string inside nested arrays and an object in an array (a JSON column)
        arr.addArray().add(s.value());
        arr.addObject().put("k", s.value());
        if (s.key() != null) props.putObject("nested").put(s.key(), s.keyed());
        return e;
    }

    /** NDJSON of the events: the even ones with every non-ASCII character escaped, the odd ones as raw UTF-8. */
    static byte[] ndjson(List<Sent> events) throws Exception {
        StringBuilder b = new StringBuilder();
        ObjectMapper escaping = new ObjectMapper();
        escaping.getFactory().enable(JsonGenerator.Feature.ESCAPE_NON_ASCII);
        for (int i = 0; i < events.size(); i++) {
            b.append((i % 2 == 0 ? escaping : JSON).writeValueAsString(event(events.get(i))))
                    .append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code route} is the store (duckdb, clickhouse), or sqs: an SQS log on ElasticMQ into DuckDB. */
    private InProcessServer server(String route, Path data) throws Exception {
        List<String> s = new ArrayList<>(List.of(
                "schema.layout", "single", "limits.max_event_bytes", "1MB", "limits.max_request_bytes", "32MB"));
        if (route.equals("sqs")) {
            if (elasticmq == null) elasticmq = ElasticMq.start();
            System.setProperty("aws.accessKeyId", "test"); // the SDK's default chain; ElasticMQ takes any
            System.setProperty("aws.secretAccessKey", "test");
            s.addAll(List.of(
                    "log.type",
                    "sqs",
                    "sqs.endpoint",
                    elasticmq.endpoint(),
                    "sqs.region",
                    "us-east-1",
                    "sqs.queue",
                    "rt" + Long.toHexString(System.nanoTime())));
        }
        if (route.equals("clickhouse")) {
            s.addAll(List.of(
                    "store.type",
                    "clickhouse",
                    "clickhouse.url",
                    clickhouse.url(),
                    "clickhouse.database",
                    "rt" + Long.toHexString(System.nanoTime())));
        }
        return new InProcessServer(data, KEY, ADMIN, s.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse", "sqs"})
    void any_string_round_trips_through_the_live_api(String route) throws Exception {
        long seed = seed();
        List<Sent> sent = generate(seed, "rt-", EVENTS);
        try (InProcessServer s = server(route, dir.resolve(route))) {
            for (int from = 0; from < sent.size(); from += 500) {
                byte[] part = ndjson(sent.subList(from, Math.min(sent.size(), from + 500)));
                Http.Reply r =
                        Http.post(s.base + "/v1/events", KEY, part, Map.of("Content-Type", "application/x-ndjson"));
                assertThat(r.status()).as("seed %d: %s", seed, r.body()).isEqualTo(200);
            }
            check(seed, sent, sql -> Http.sql(s.base, ADMIN, sql), EVENTS);
            assertThat(Http.sql(s.base, ADMIN, "SELECT count(*) FROM _dead_letters")
                            .get(0)
                            .get(0)
                            .asLong())
                    .as("seed %d: dead letters", seed)
                    .isZero();
        }
    }

    @Test
    void any_string_round_trips_through_import() throws Exception {
        long seed = seed();
        List<Sent> sent = generate(seed, "im-", EVENTS);
        Path file = dir.resolve("events.ndjson");
        Files.write(file, ndjson(sent));
        Path data = dir.resolve("data");
        Path out = dir.resolve("import.log");
        Process p = ServerProcess.launch(
                Map.of("CATCHMENT_SCHEMA_LAYOUT", "single", "CATCHMENT_LIMITS_MAX_EVENT_BYTES", "1MB"),
                out,
                "import",
                file.toString(),
                "--data-dir",
                data.toString(),
                "--format",
                "native");
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(out)).isZero();
        try (InProcessServer s = new InProcessServer(data, KEY, ADMIN, "schema.layout", "single")) {
            check(seed, sent, sql -> Http.sql(s.base, ADMIN, sql), EVENTS);
        }
    }

    @Test
    void malformed_utf8_becomes_the_replacement_character_on_every_route() throws Exception {
        try (InProcessServer s = server("duckdb", dir.resolve("utf8"))) {
            byte[] bad = {(byte) 0xff, 'b', (byte) 0xc3, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
            byte[] nativeBody = concat(
                    "{\"id\":\"utf8-native\",\"event\":\"Bytes\",\"userId\":\"u\",\"properties\":{\"v\":\"a",
                    bad,
                    "\"}}");
            assertThat(Http.post(s.base + "/v1/events", KEY, nativeBody, Map.of())
                            .status())
                    .isEqualTo(200);
            byte[] segmentBody = concat(
                    "{\"batch\":[{\"messageId\":\"utf8-segment\",\"type\":\"track\",\"event\":\"Bytes\","
                            + "\"userId\":\"u\",\"properties\":{\"v\":\"a",
                    bad,
                    "\"}}]}");
            assertThat(Http.post(s.base + "/v1/batch", KEY, segmentBody, Map.of("Content-Type", "application/json"))
                            .status())
                    .isEqualTo(200);
            String expected = new String(concat("a", bad, ""), StandardCharsets.UTF_8);
            assertThat(expected).contains("\uFFFD");
            assertThat(Http.eventually(
                            Duration.ofSeconds(20),
                            () -> Http.sql(s.base, ADMIN, "SELECT count(*) FROM events WHERE id LIKE 'utf8-%'")
                                            .get(0)
                                            .get(0)
                                            .asLong()
                                    == 2))
                    .isTrue();
            JsonNode rows = Http.sql(s.base, ADMIN, "SELECT properties_v FROM events WHERE id LIKE 'utf8-%'");
            for (JsonNode row : rows) assertThat(row.get(0).asText()).isEqualTo(expected);
        }
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + middle.length + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(middle, 0, out, h.length, middle.length);
        System.arraycopy(t, 0, out, h.length + middle.length, t.length);
        return out;
    }

    @FunctionalInterface
    interface Sql {
        JsonNode rows(String sql) throws Exception;
    }

    /** Waits for every event, then compares each stored string with what was sent (as the one rule makes it). */
    static void check(long seed, List<Sent> sent, Sql sql, int expected) throws Exception {
        String prefix = sent.get(0).id().substring(0, 3);
        assertThat(Http.eventually(
                        Duration.ofSeconds(120),
                        () -> sql.rows("SELECT count(*) FROM events WHERE id LIKE '" + prefix + "%'")
                                        .get(0)
                                        .get(0)
                                        .asLong()
                                >= expected))
                .as("seed %d: all events loaded", seed)
                .isTrue();
        // which column holds each nested key: the schema-change log names the key's JSON Pointer
        Map<String, String> columnOf = new HashMap<>();
        for (JsonNode r : sql.rows("SELECT source, column_name FROM _schema_changes WHERE table_name = 'events' "
                + "AND source LIKE '/properties/nested/%'")) {
            columnOf.put(r.get(0).asText(), r.get(1).asText());
        }
        Map<String, Sent> byId = new LinkedHashMap<>();
        for (Sent s : sent) byId.put(s.id(), s);
        JsonNode rows = sql.rows(
                "SELECT id, event, user_id, properties_v, properties_arr FROM events WHERE id LIKE '" + prefix + "%'");
        assertThat(rows).hasSize(expected);
        {
            for (JsonNode r : rows) {
                Sent s = byId.get(r.get(0).asText());
                assertThat(s).isNotNull();
                String what = "seed " + seed + ", event " + s.id();
                assertThat(r.get(1).asText()).as(what + ": event name").isEqualTo(Unicode.wellFormed(s.name()));
                assertThat(r.get(2).asText()).as(what + ": user id").isEqualTo(Unicode.wellFormed(s.user()));
                assertThat(r.get(3).asText()).as(what + ": value").isEqualTo(Unicode.wellFormed(s.value()));
                Sent fixed = new Sent(s.id(), s.name(), s.user(), Unicode.wellFormed(s.value()), null, null);
                assertThat(JSON.readTree(r.get(4).asText()))
                        .as(what + ": in nested arrays")
                        .isEqualTo(event(fixed).get("properties").get("arr"));
            }
        }
        for (Sent s : sent) {
            if (s.key() == null) continue;
            String pointer = "/properties/nested/"
                    + Unicode.wellFormed(s.key()).replace("~", "~0").replace("/", "~1");
            String column = columnOf.get(pointer);
            assertThat(column)
                    .as("seed %d, event %s: a column for key %s", seed, s.id(), pointer)
                    .isNotNull();
            JsonNode v =
                    sql.rows("SELECT \"" + column.replace("\"", "\"\"") + "\" FROM events WHERE id = '" + s.id() + "'");
            assertThat(v.get(0).get(0).asText())
                    .as("seed %d, event %s: value of key %s", seed, s.id(), pointer)
                    .isEqualTo(Unicode.wellFormed(s.keyed()));
        }
    }
}
