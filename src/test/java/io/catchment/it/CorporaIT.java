package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.testing.ClickHouseServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public corpora (src/test/resources/corpora) through the live API, on DuckDB and ClickHouse: every
 * big-list-of-naughty-strings entry as a value, a nested key, an event name and a user id, read back exactly; every
 * JSONTestSuite y_ and i_ document as a property value (y_ objects also as the properties themselves), accepted
 * and loaded with no dead letter; every n_ document a 400, raw and as a value; then one normal event, which must
 * load within seconds: whatever came before it, nothing stalls the loader.
 */
@Timeout(600)
class CorporaIT {
    static final String KEY = "corpora_write_key";
    static final String ADMIN = "corpora_admin_key";
    static final ObjectMapper JSON = new ObjectMapper();
    static ClickHouseServer clickhouse;

    @TempDir
    Path dir;

    record Case(String name, String input) {}

    @BeforeAll
    static void start() throws Exception {
        clickhouse = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (clickhouse != null) clickhouse.close();
    }

    static List<String> blns() throws Exception {
        try (InputStream in = CorporaIT.class.getResourceAsStream("/corpora/blns.json")) {
            List<String> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(in)) out.add(n.asText());
            return out;
        }
    }

    static List<Case> jsonTestSuite() throws Exception {
        try (InputStream in =
                new GZIPInputStream(CorporaIT.class.getResourceAsStream("/corpora/jsontestsuite.json.gz"))) {
            List<Case> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(in))
                out.add(new Case(n.get("name").asText(), n.get("input").asText()));
            return out;
        }
    }

    private InProcessServer server(String store, Path data, String layout) throws Exception {
        List<String> s = new ArrayList<>(List.of("schema.layout", layout, "limits.max_request_bytes", "8MB"));
        if (store.equals("clickhouse")) {
            s.addAll(List.of(
                    "store.type",
                    "clickhouse",
                    "clickhouse.url",
                    clickhouse.url(),
                    "clickhouse.database",
                    "corpora" + Long.toHexString(System.nanoTime())));
        }
        return new InProcessServer(data, KEY, ADMIN, s.toArray(String[]::new));
    }

    private static Http.Reply post(InProcessServer s, String body) throws Exception {
        return Http.post(s.base + "/v1/events", KEY, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void naughty_strings_round_trip_as_values_keys_names_and_user_ids(String store) throws Exception {
        List<String> strings = blns();
        List<RoundTripIT.Sent> sent = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i);
            sent.add(new RoundTripIT.Sent("bl-" + i, s.isBlank() ? "blank" + s : s, s.isEmpty() ? "u" : s, s, s, s));
        }
        try (InProcessServer s = server(store, dir.resolve(store), "single")) {
            StringBuilder body = new StringBuilder();
            for (RoundTripIT.Sent e : sent)
                body.append(JSON.writeValueAsString(RoundTripIT.event(e))).append('\n');
            Http.Reply r = post(s, body.toString());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            RoundTripIT.check(0, sent, sql -> Http.sql(s.base, ADMIN, sql), sent.size());
            assertThat(Http.sql(s.base, ADMIN, "SELECT count(*) FROM _dead_letters")
                            .get(0)
                            .get(0)
                            .asLong())
                    .isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void naughty_event_names_each_land_in_a_table_of_their_own_name(String store) throws Exception {
        List<String> strings = blns();
        try (InProcessServer s = server(store, dir.resolve(store), "per-event")) {
            StringBuilder body = new StringBuilder();
            int n = 0;
            for (String name : strings) {
                if (name.isBlank()) continue;
                ObjectNode e = JSON.createObjectNode()
                        .put("id", "name-" + n++)
                        .put("event", name)
                        .put("userId", "u");
                e.putObject("properties").put("v", name);
                body.append(JSON.writeValueAsString(e)).append('\n');
            }
            assertThat(post(s, body.toString()).status()).isEqualTo(200);
            int expected = n;
            awaitNormalEvent(s, "names");
            assertThat(count(s, "SELECT count(*) FROM events WHERE id LIKE 'name-%'"))
                    .isEqualTo(expected);
            assertThat(count(s, "SELECT count(*) FROM _dead_letters")).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void every_json_test_suite_document_that_parses_is_stored_and_nothing_stalls(String store) throws Exception {
        List<Case> cases =
                jsonTestSuite().stream().filter(c -> !c.name().startsWith("n_")).toList();
        try (InProcessServer s = server(store, dir.resolve(store), "per-event")) {
            int accepted = 0;
            for (Case c : cases) {
                String id = "jts-" + c.name();
                Http.Reply asValue = post(
                        s,
                        "{\"id\":\"" + id + "\",\"event\":\"Corpus\",\"userId\":\"u\",\"properties\":{\"v\":"
                                + c.input() + "}}");
                if (c.name().startsWith("y_"))
                    assertThat(asValue.status())
                            .as(c.name() + ": " + asValue.body())
                            .isEqualTo(200);
                assertThat(asValue.status())
                        .as(c.name() + ": " + asValue.body())
                        .isIn(200, 400);
                if (asValue.status() == 200) accepted++;
                if (c.name().startsWith("y_") && c.input().strip().startsWith("{")) {
                    Http.Reply asProperties = post(
                            s,
                            "{\"id\":\"" + id + "-p\",\"event\":\"Corpus Object\",\"userId\":\"u\"," + "\"properties\":"
                                    + c.input() + "}");
                    assertThat(asProperties.status())
                            .as(c.name() + ": " + asProperties.body())
                            .isEqualTo(200);
                    accepted++;
                }
            }
            awaitNormalEvent(s, "jts");
            assertThat(count(s, "SELECT count(*) FROM events WHERE id LIKE 'jts-%'"))
                    .isEqualTo(accepted);
            assertThat(count(s, "SELECT count(*) FROM _dead_letters")).isZero();
        }
    }

    @Test
    void every_json_test_suite_document_that_must_not_parse_is_a_400_raw_and_as_a_value() throws Exception {
        try (InProcessServer s = server("duckdb", dir.resolve("n"), "per-event")) {
            for (Case c : jsonTestSuite()) {
                if (!c.name().startsWith("n_")) continue;
                Http.Reply raw = post(s, c.input());
                assertThat(raw.status()).as(c.name() + " raw: " + raw.body()).isEqualTo(400);
                assertThat(raw.json().path("error").asText()).as(c.name()).isNotEmpty();
                Http.Reply value =
                        post(s, "{\"event\":\"N\",\"userId\":\"u\",\"properties\":{\"v\":" + c.input() + "}}");
                assertThat(value.status())
                        .as(c.name() + " as a value: " + value.body())
                        .isEqualTo(400);
            }
            awaitNormalEvent(s, "n");
            assertThat(count(s, "SELECT count(*) FROM events")).isEqualTo(1);
        }
    }

    /** One normal event after the corpus: it must be in the store within seconds. */
    private static void awaitNormalEvent(InProcessServer s, String tag) throws Exception {
        String id = "normal-" + tag;
        assertThat(post(s, "{\"id\":\"" + id + "\",\"event\":\"Normal\",\"userId\":\"u\"}")
                        .status())
                .isEqualTo(200);
        assertThat(Http.eventually(
                        Duration.ofSeconds(30),
                        () -> count(s, "SELECT count(*) FROM events WHERE id = '" + id + "'") == 1))
                .as("a normal event after the corpus loads")
                .isTrue();
    }

    private static long count(InProcessServer s, String sql) throws Exception {
        return Http.sql(s.base, ADMIN, sql).get(0).get(0).asLong();
    }
}
