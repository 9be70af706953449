package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.testing.ElasticMq;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the store through an SQS log (ElasticMQ), beside {@link SqsIT}: a backlog loaded by many receiving
 * threads lands once, every value in its own column, each event counted once; an event too large for one SQS message
 * is refused with 413 before anything of its request reaches the queue.
 */
@Timeout(300)
class SqsDeliveryIT {
    static final String KEY = "sqs_delivery_key";
    static final String ADMIN = "sqs_delivery_admin";
    static ElasticMq mq;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", "test"); // the SDK's default chain; ElasticMQ takes any
        System.setProperty("aws.secretAccessKey", "test");
        mq = ElasticMq.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (mq != null) mq.close();
    }

    private InProcessServer server(Path data, String queue, String... more) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "log.type", "sqs", "sqs.endpoint", mq.endpoint(), "sqs.region", "us-east-1", "sqs.queue", queue));
        all.addAll(List.of(more));
        return new InProcessServer(data, KEY, ADMIN, all.toArray(String[]::new));
    }

    private static long count(String base, String sql) throws Exception {
        return Http.count(base, ADMIN, sql);
    }

    /** Event j: one of 6 names, string properties n = "n{j}" and k{j % 60} = "v{j}" (keys appear as the ids go). */
    static String events(int from, int n) {
        StringBuilder b = new StringBuilder();
        for (int j = from; j < from + n; j++) {
            b.append("{\"id\":\"r")
                    .append(j)
                    .append("\",\"event\":\"Race")
                    .append(j % 6)
                    .append("\",\"user_id\":\"u")
                    .append(j % 97)
                    .append("\",\"timestamp\":\"2024-06-01T10:00:00Z\",\"properties\":{\"n\":\"n")
                    .append(j)
                    .append("\",\"k")
                    .append(j % 60)
                    .append("\":\"v")
                    .append(j)
                    .append("\"}}\n");
        }
        return b.toString();
    }

    /**
     * The events of {@link #events} from 0 to {@code total} are in {@code events} (single layout) once each, every
     * value in its own column, and counted loaded once; none became a dead letter.
     */
    static void landedOnceInTheirColumns(String base, String admin, int total, int keys) throws Exception {
        assertThat(Http.count(base, admin, "SELECT count(*) FROM events")).isEqualTo(total);
        assertThat(Http.count(base, admin, "SELECT count(DISTINCT id) FROM events"))
                .isEqualTo(total);
        assertThat(Http.count(base, admin, "SELECT count(*) FROM events WHERE properties_n <> 'n' || substr(id, 2)"))
                .as("n in its own column")
                .isZero();
        for (int k = 0; k < keys; k++) {
            String c = "properties_k" + k;
            assertThat(Http.count(base, admin, "SELECT count(*) FROM events WHERE " + c + " IS NOT NULL"))
                    .as(c + " holds its events' values")
                    .isEqualTo(total / keys);
            assertThat(Http.count(
                            base,
                            admin,
                            "SELECT count(*) FROM events WHERE " + c + " IS NOT NULL AND (" + c
                                    + " <> 'v' || substr(id, 2) OR CAST(substr(id, 2) AS INTEGER) % " + keys + " <> "
                                    + k + ")"))
                    .as(c + " holds no other column's value")
                    .isZero();
        }
        assertThat(Http.metric(base, "catchment_events_loaded_total"))
                .as("each event counted loaded once")
                .isEqualTo(total);
        assertThat(Http.metric(base, "catchment_events_dead_lettered_total")).isZero();
    }

    /**
     * The cause of the duplicates the benchmark saw: one loader per receiving thread, all on one store, raced on the
     * shared catalog (a table created twice, staged columns out of line with the table), batches were refused and
     * taken apart, and events were counted loaded more than once. A backlog with new tables and columns all through,
     * loaded by 4 receiving threads in small batches, must land exactly once with each value in its own column.
     */
    @Test
    void a_backlog_received_by_many_threads_lands_once_each_value_in_its_own_column() throws Exception {
        int total = 30_000;
        try (InProcessServer collector = server(dir.resolve("c"), "race", "loader.enabled", "false")) {
            for (int i = 0; i < total; i += 200)
                assertThat(Http.post(collector.base + "/v1/events", KEY, events(i, 200))
                                .status())
                        .isEqualTo(200);
        }
        try (InProcessServer s = server(
                dir.resolve("l"),
                "race",
                "sqs.receivers",
                "4",
                "loader.batch_events",
                "1500",
                "schema.layout",
                "single")) {
            assertThat(Http.eventually(
                            Duration.ofSeconds(120), () -> count(s.base, "SELECT count(*) FROM events") >= total))
                    .isTrue();
            Http.loaderCaughtUp(s.base, ADMIN, Duration.ofSeconds(60));
            landedOnceInTheirColumns(s.base, ADMIN, total, 60);
            JsonNode loader = Http.get(s.base + "/v1/status", ADMIN).json().path("loader");
            assertThat(loader.path("sqs_receivers").asInt()).isEqualTo(4);
            assertThat(loader.path("sqs_messages_redelivered").asLong()).isZero();
            assertThat(loader.path("sqs_messages_received_while_held").asLong()).isZero();
            assertThat(Http.eventually(Duration.ofSeconds(20), () -> {
                        JsonNode l =
                                Http.get(s.base + "/v1/status", ADMIN).json().path("loader");
                        return l.path("sqs_messages_deleted").asLong()
                                == l.path("sqs_messages_received").asLong();
                    }))
                    .as("every message received was deleted")
                    .isTrue();
        }
    }

    @Test
    void an_event_too_large_for_a_message_is_refused_with_413_and_nothing_of_its_request_is_queued() throws Exception {
        try (InProcessServer s = server(
                dir.resolve("d"),
                "big",
                "limits.max_event_bytes",
                "2MB",
                "limits.max_request_bytes",
                "4MB",
                "schema.layout",
                "single")) {
            StringBuilder noise = new StringBuilder();
            Random r = new Random(5);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            while (noise.length() < 700_000) noise.append(alphabet.charAt(r.nextInt(alphabet.length())));
            String body = "{\"id\":\"refused-0\",\"event\":\"Big\"}\n"
                    + "{\"id\":\"refused-big\",\"event\":\"Big\",\"properties\":{\"blob\":\"" + noise + "\"}}\n"
                    + "{\"id\":\"refused-2\",\"event\":\"Big\"}\n";
            Http.Reply refused = Http.post(s.base + "/v1/events", KEY, body);
            assertThat(refused.status()).isEqualTo(413);
            JsonNode answer = refused.json();
            assertThat(answer.path("index").asInt()).isEqualTo(1);
            assertThat(answer.path("id").asText()).isEqualTo("refused-big");
            assertThat(answer.path("accepted").asInt()).isZero();
            assertThat(answer.path("error").asText())
                    .contains("event 1 (id refused-big)", "196605 bytes compressed", "sqs.max_message_bytes")
                    .contains("none of the request's 3 events was accepted");
            // the same request without the large event goes through
            assertThat(Http.post(
                                    s.base + "/v1/events",
                                    KEY,
                                    "{\"id\":\"ok-0\",\"event\":\"Big\"}\n{\"id\":\"ok-2\",\"event\":\"Big\"}\n")
                            .status())
                    .isEqualTo(200);
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> count(s.base, "SELECT count(*) FROM events") >= 2))
                    .isTrue();
            Http.loaderCaughtUp(s.base, ADMIN, Duration.ofSeconds(30));
            assertThat(count(s.base, "SELECT count(*) FROM events WHERE id LIKE 'refused%'"))
                    .as("nothing of the refused request reached the queue")
                    .isZero();
            assertThat(count(s.base, "SELECT count(*) FROM events")).isEqualTo(2);
            assertThat(Http.get(s.base + "/metrics").body()).contains("reason=\"too_large\"");
        }
    }
}
