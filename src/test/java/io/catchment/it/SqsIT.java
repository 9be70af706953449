package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.log.sqs.SqsCodec;
import io.catchment.testing.CuttableProxy;
import io.catchment.testing.ElasticMq;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code serve --log sqs} on a real SQS implementation (ElasticMQ, its own JVM on a free loopback port): events end to
 * end through the queue, exactly once; a loader process killed with SIGKILL mid-load and another taking over; the queue
 * unreachable (503, nothing acknowledged lost, recovery); a message that is not Catchment's reaching
 * maxReceiveCount and a message SQS set aside, both in {@code /v1/dlq}, the latter replayed once.
 */
@Timeout(300)
class SqsIT {
    static final String KEY = "sqs_write_key_1";
    static final String ADMIN = "sqs_admin_key_1";
    static ElasticMq mq;
    static SqsClient sqs;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        // the default credential chain, as in production: here from system properties (ElasticMQ accepts any)
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        mq = ElasticMq.start();
        sqs = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(mq.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sqs != null) sqs.close();
        if (mq != null) mq.close();
    }

    private static String[] settings(String endpoint, String queue, String... more) {
        List<String> all = new ArrayList<>(
                List.of("log.type", "sqs", "sqs.endpoint", endpoint, "sqs.region", "us-east-1", "sqs.queue", queue));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private InProcessServer server(Path data, String queue, String... more) throws Exception {
        return new InProcessServer(data, KEY + "=web", ADMIN, settings(mq.endpoint(), queue, more));
    }

    private static String events(String prefix, int from, int n) {
        StringBuilder b = new StringBuilder();
        for (int j = from; j < from + n; j++) {
            b.append("{\"id\":\"")
                    .append(prefix)
                    .append(j)
                    .append("\",\"event\":\"Tick\",\"user_id\":\"u")
                    .append(j % 53)
                    .append("\",\"timestamp\":\"2024-06-01T10:00:00Z\",\"properties\":{\"i\":")
                    .append(j)
                    .append("}}\n");
        }
        return b.toString();
    }

    private static long count(String base, String sql) throws Exception {
        return Http.sql(base, ADMIN, sql).get(0).get(0).asLong();
    }

    @Test
    void events_go_through_the_queue_and_land_once() throws Exception {
        try (InProcessServer s = server(dir.resolve("d"), "e2e", "sqs.receivers", "3", "sqs.max_receive_count", "4")) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> sent = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t * 2500;
                sent.add(pool.submit(() -> {
                    for (int i = first; i < first + 2500; i += 100)
                        assertThat(Http.post(s.base + "/v1/events", KEY, events("e", i, 100))
                                        .status())
                                .isEqualTo(200);
                    return 2500;
                }));
            }
            for (Future<Integer> f : sent) f.get();
            pool.shutdown();
            Http.caughtUp(s.base, ADMIN, Duration.ofSeconds(60));
            assertThat(count(s.base, "SELECT count(*) FROM tick")).isEqualTo(20_000);
            assertThat(count(s.base, "SELECT count(DISTINCT id) FROM tick")).isEqualTo(20_000);
            JsonNode loader = Http.get(s.base + "/v1/status", ADMIN).json().path("loader");
            assertThat(loader.path("sqs_receivers").asInt()).isEqualTo(3);
            assertThat(loader.path("sqs_messages_waiting").asLong()).isZero();
            assertThat(loader.path("sqs_messages_in_flight").asLong()).isZero();
            assertThat(loader.path("sqs_messages_redelivered").asLong())
                    .as("no loader died: nothing delivered twice")
                    .isZero();
            // several requests to a message: 200 requests took fewer messages
            long messages = Http.get(s.base + "/v1/status", ADMIN)
                    .json()
                    .path("log")
                    .path("end_offset")
                    .asLong();
            assertThat(messages).isPositive().isLessThanOrEqualTo(200);
            assertThat(Http.get(s.base + "/readyz")
                            .json()
                            .path("loader_lag_records")
                            .asLong())
                    .isZero();
            assertThat(Http.get(s.base + "/metrics").body()).contains("catchment_log_lag_records");
        }
        String url = sqs.getQueueUrl(r -> r.queueName("e2e")).queueUrl();
        var attrs = sqs.getQueueAttributes(r -> r.queueUrl(url)
                        .attributeNames(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS,
                                QueueAttributeName.REDRIVE_POLICY))
                .attributes();
        // MessageRetentionPeriod (14 days) is asked for too, but ElasticMQ neither keeps nor reports it
        assertThat(attrs.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("60");
        assertThat(attrs.get(QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS))
                .isEqualTo("20");
        assertThat(attrs.get(QueueAttributeName.REDRIVE_POLICY))
                .contains("e2e-dlq")
                .contains("4");
    }

    @Test
    void a_loader_killed_mid_batch_loses_nothing_and_doubles_nothing() throws Exception {
        int total = 30_000;
        try (InProcessServer collector = server(dir.resolve("collector"), "kill", "loader.enabled", "false")) {
            for (int i = 0; i < total; i += 100)
                assertThat(Http.post(collector.base + "/v1/events", KEY, events("k", i, 100))
                                .status())
                        .isEqualTo(200);
        }
        Map<String, String> env = Map.of(
                "CATCHMENT_LOG_TYPE", "sqs",
                "CATCHMENT_SQS_ENDPOINT", mq.endpoint(),
                "CATCHMENT_SQS_REGION", "us-east-1",
                "CATCHMENT_SQS_QUEUE", "kill",
                "CATCHMENT_SQS_VISIBILITY_TIMEOUT", "4s",
                "CATCHMENT_LOADER_BATCH_EVENTS", "100",
                "CATCHMENT_ADMIN_KEY", ADMIN,
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test");
        Path data = dir.resolve("loader");
        long atKill;
        try (ServerProcess victim = new ServerProcess(data).start(env)) {
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> {
                        try {
                            return count(victim.url(""), "SELECT count(*) FROM tick") > 0;
                        } catch (Exception | AssertionError e) {
                            return false;
                        }
                    }))
                    .isTrue();
            victim.kill(); // SIGKILL mid-load: messages in hand are neither deleted nor released
        }
        String[] more = {"sqs.visibility_timeout", "4s"};
        try (InProcessServer heir = server(data, "kill", more)) {
            long heirUp = System.nanoTime();
            atKill = count(heir.base, "SELECT count(*) FROM tick");
            assertThat(atKill).as("killed mid-load").isGreaterThan(0).isLessThan(total);
            assertThat(Http.eventually(
                            Duration.ofSeconds(120), () -> count(heir.base, "SELECT count(*) FROM tick") >= total))
                    .isTrue();
            // the collector created the queue with the default 60 s; each receive asks for the loader's own 4 s, so
            // what the victim held comes back that much sooner (it took 60 s when the queue's timeout applied)
            assertThat(Duration.ofNanos(System.nanoTime() - heirUp))
                    .as("the victim's messages came back after the loaders' visibility timeout, not the queue's")
                    .isLessThan(Duration.ofSeconds(40));
            Http.loaderCaughtUp(heir.base, ADMIN, Duration.ofSeconds(60));
            assertThat(count(heir.base, "SELECT count(*) FROM tick")).isEqualTo(total);
            assertThat(count(heir.base, "SELECT count(DISTINCT id) FROM tick")).isEqualTo(total);
            assertThat(count(heir.base, "SELECT count(*) FROM events")).isEqualTo(total);
            assertThat(Http.get(heir.base + "/v1/status", ADMIN)
                            .json()
                            .path("loader")
                            .path("sqs_messages_redelivered")
                            .asLong())
                    .as("the victim's messages in hand came again")
                    .isPositive();
        }
    }

    @Test
    void the_queue_unreachable_means_503_and_nothing_acknowledged_is_lost() throws Exception {
        // a long poll cut off by the relay still takes what arrives on the server's side (ElasticMQ and SQS alike):
        // those messages come back after the visibility timeout, short here so the test does not wait a minute
        try (CuttableProxy proxy = new CuttableProxy(mq.port());
                InProcessServer s = new InProcessServer(
                        dir.resolve("d"),
                        KEY + "=web",
                        ADMIN,
                        settings("http://127.0.0.1:" + proxy.port(), "cut", "sqs.visibility_timeout", "5s"))) {
            for (int i = 0; i < 1000; i += 100)
                assertThat(Http.post(s.base + "/v1/events", KEY, events("c", i, 100))
                                .status())
                        .isEqualTo(200);
            proxy.cut();
            Http.Reply refused = Http.post(s.base + "/v1/events", KEY, events("c", 1000, 100));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body()).contains("retry_after");
            assertThat(Http.get(s.base + "/readyz").status()).isEqualTo(503);
            proxy.restore();
            // the client's retry, as SDKs do after a 503
            assertThat(Http.post(s.base + "/v1/events", KEY, events("c", 1000, 100))
                            .status())
                    .isEqualTo(200);
            assertThat(Http.eventually(
                            Duration.ofSeconds(60), () -> count(s.base, "SELECT count(*) FROM tick") >= 1100))
                    .isTrue();
            Http.loaderCaughtUp(s.base, ADMIN, Duration.ofSeconds(60));
            assertThat(count(s.base, "SELECT count(*) FROM tick")).isEqualTo(1100);
            assertThat(count(s.base, "SELECT count(DISTINCT id) FROM tick")).isEqualTo(1100);
            assertThat(Http.get(s.base + "/readyz").status()).isEqualTo(200);
        }
    }

    @Test
    void what_sqs_sets_aside_and_what_the_store_refuses_are_in_the_dead_letters() throws Exception {
        try (InProcessServer s = server(
                dir.resolve("d"),
                "dead",
                "sqs.max_receive_count",
                "2",
                "sqs.visibility_timeout",
                "3s",
                "limits.max_fields_per_event",
                "30")) {
            String url = sqs.getQueueUrl(r -> r.queueName("dead")).queueUrl();
            String dlq = sqs.getQueueUrl(r -> r.queueName("dead-dlq")).queueUrl();
            // a message that is not Catchment's: received, never deleted, moved by the redrive policy
            sqs.sendMessage(r -> r.queueUrl(url).messageBody("not a catchment message"));
            // a good message SQS set aside (as after loaders that kept dying): replayable
            byte[] good = events("dlq", 0, 3).getBytes(StandardCharsets.UTF_8);
            String body = SqsCodec.body(SqsCodec.compress(good, 100_000));
            sqs.sendMessage(r -> r.queueUrl(dlq).messageBody(body));
            // an event the store refuses (too many fields) among good ones: Catchment's dead letters, with the reason
            StringBuilder wide = new StringBuilder("{\"id\":\"wide\",\"event\":\"Tick\",\"properties\":{");
            for (int i = 0; i < 40; i++)
                wide.append(i > 0 ? "," : "").append("\"p").append(i).append("\":1");
            assertThat(Http.post(s.base + "/v1/events", KEY, events("ok", 0, 5) + wide + "}}\n")
                            .status())
                    .isEqualTo(200);
            assertThat(Http.eventually(
                            Duration.ofSeconds(60),
                            () -> Http.get(s.base + "/v1/dlq", ADMIN)
                                            .json()
                                            .path("pending")
                                            .asLong()
                                    == 5))
                    .as(Http.get(s.base + "/v1/dlq", ADMIN).body())
                    .isTrue();
            String listed = Http.get(s.base + "/v1/dlq", ADMIN).body();
            assertThat(listed)
                    .contains("not a catchment message", "dead-letter queue", "max_receive_count 2")
                    .contains("\"event_id\":\"dlq0\"", "\"event_id\":\"wide\"", "max_fields_per_event");
            assertThat(count(s.base, "SELECT count(*) FROM tick")).isEqualTo(5);
            List<String> keys = new ArrayList<>();
            for (JsonNode d : Http.get(s.base + "/v1/dlq", ADMIN).json().path("dead_letters"))
                if (d.path("event_id").asText().startsWith("dlq"))
                    keys.add("\"" + d.path("key").asText() + "\"");
            assertThat(keys).hasSize(3);
            for (int replay = 0; replay < 2; replay++) // a second replay adds nothing
            assertThat(Http.post(s.base + "/v1/dlq/replay", ADMIN, "{\"keys\":[" + String.join(",", keys) + "]}")
                                .status())
                        .isEqualTo(200);
            assertThat(Http.eventually(Duration.ofSeconds(30), () -> count(s.base, "SELECT count(*) FROM tick") == 8))
                    .isTrue();
            Http.loaderCaughtUp(s.base, ADMIN, Duration.ofSeconds(30));
            assertThat(count(s.base, "SELECT count(*) FROM tick WHERE id LIKE 'dlq%'"))
                    .isEqualTo(3);
            assertThat(sqs.getQueueAttributes(r ->
                                    r.queueUrl(dlq).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                            .attributes()
                            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .isEqualTo("0");
        }
    }
}
