package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.segment.analytics.Analytics;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.TrackMessage;
import io.catchment.testing.ClickHouseServer;
import io.catchment.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --log kafka --store clickhouse} end to end, on a real Kafka broker and a real ClickHouse server (both on
 * free loopback ports, data in temp dirs): SDK traffic in, rows read back with {@code clickhouse-client}; a loader
 * leaving the group and another taking its partitions over; ClickHouse down while events keep arriving.
 */
@Timeout(420)
class ScaleOutIT {
    static final String KEY = "scale_write_key_1";
    static final String ADMIN = "scale_admin_key_1";
    static final String SEGMENT_KEY = "scale_segment_key_1";
    static KafkaBroker kafka;
    static ClickHouseServer clickhouse;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        clickhouse = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
        if (clickhouse != null) clickhouse.close();
    }

    private InProcessServer server(Path data, String db, String topic, String... more) throws Exception {
        String[] base = {
            "log.type",
            "kafka",
            "store.type",
            "clickhouse",
            "kafka.bootstrap_servers",
            kafka.bootstrap(),
            "kafka.topic",
            topic,
            "kafka.dead_letter_topic",
            topic + ".dlq",
            "kafka.partitions",
            "4",
            "kafka.group",
            topic + "-loaders",
            "clickhouse.url",
            clickhouse.url(),
            "clickhouse.database",
            db
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return new InProcessServer(data, KEY + "=web," + SEGMENT_KEY + "=segment", ADMIN, all);
    }

    private static long clickhouseCount(String sql) throws Exception {
        return clickhouse.count(sql);
    }

    private static void send(String base, int from, int to) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append("{\"messageId\":\"m")
                    .append(i)
                    .append("\",\"type\":\"track\",\"event\":\"Tick\",\"userId\":\"u")
                    .append(i % 37)
                    .append("\",\"timestamp\":\"2024-06-01T10:00:00Z\",\"properties\":{\"i\":")
                    .append(i)
                    .append("}}\n");
        }
        Http.Reply r = Http.post(base + "/v1/events", KEY, b.toString());
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
    }

    @Test
    void sdk_traffic_flows_through_kafka_into_clickhouse() throws Exception {
        try (InProcessServer s = server(dir, "sdk", "sdk-events")) {
            Analytics analytics = Analytics.builder(SEGMENT_KEY)
                    .endpoint(s.base)
                    .flushQueueSize(100)
                    .flushInterval(1, TimeUnit.HOURS)
                    .build();
            try {
                for (int i = 0; i < 5; i++) {
                    analytics.enqueue(TrackMessage.builder("Order Completed")
                            .userId("sdk-user")
                            .messageId("o" + i)
                            .properties(Map.of("revenue", 10 + i, "currency", "EUR")));
                }
                analytics.enqueue(IdentifyMessage.builder().userId("sdk-user").traits(Map.of("plan", "pro")));
                analytics.flush();
            } finally {
                analytics.shutdown(); // sends what is queued and waits for it
            }
            assertThat(Http.eventually(
                            Duration.ofSeconds(60),
                            () -> clickhouseCount("SELECT count() FROM sdk.order_completed") == 5))
                    .isTrue();
            assertThat(clickhouseCount("SELECT sum(properties_revenue) FROM sdk.order_completed"))
                    .isEqualTo(60);
            assertThat(Http.eventually(
                            Duration.ofSeconds(30),
                            () -> clickhouseCount("SELECT count() FROM sdk.users FINAL WHERE user_id = 'sdk-user' "
                                            + "AND traits LIKE '%\"plan\":\"pro\"%'")
                                    == 1))
                    .isTrue();
            // the SQL API answers from ClickHouse, unqualified names meaning Catchment's database
            assertThat(Http.sql(s.base, ADMIN, "SELECT count(*) FROM events")
                            .get(0)
                            .get(0)
                            .asLong())
                    .isEqualTo(6);
            assertThat(Http.post(s.base + "/v1/query", ADMIN, "{\"sql\":\"DROP TABLE events\"}")
                            .status())
                    .isEqualTo(403);
        }
    }

    @Test
    void when_a_loader_leaves_another_takes_its_partitions_and_nothing_is_lost_or_doubled() throws Exception {
        try (InProcessServer a = server(dir.resolve("a"), "group", "group-events");
                InProcessServer b = server(dir.resolve("b"), "group", "group-events")) {
            for (int i = 0; i < 20; i++) send(a.base, i * 100, i * 100 + 100);
            a.close(); // leaves the group once its batches are written; b is given every partition
            for (int i = 20; i < 40; i++) send(b.base, i * 100, i * 100 + 100);
            assertThat(Http.eventually(
                            Duration.ofSeconds(90), () -> clickhouseCount("SELECT count() FROM group.tick") >= 4000))
                    .isTrue();
            assertThat(clickhouseCount("SELECT count() FROM group.tick")).isEqualTo(4000);
            assertThat(clickhouseCount("SELECT uniqExact(id) FROM group.tick")).isEqualTo(4000);
        }
    }

    @Test
    void events_keep_arriving_while_clickhouse_is_down_and_land_once_it_is_back() throws Exception {
        try (InProcessServer s = server(dir, "outage", "outage-events", "loader.stall_after", "10s")) {
            send(s.base, 0, 500);
            assertThat(Http.eventually(
                            Duration.ofSeconds(60), () -> clickhouseCount("SELECT count() FROM outage.tick") == 500))
                    .isTrue();
            assertThat(Http.get(s.base + "/readyz").status()).isEqualTo(200);
            clickhouse.stop();
            try {
                // 25 s without the store: past loader.stall_after (10 s) with room, and long enough for the loader's
                // retries to back off several times (a minute here made this the suite's longest test)
                long until = System.nanoTime() + Duration.ofSeconds(25).toNanos();
                int n = 500;
                Http.Reply stalled = null;
                while (System.nanoTime() < until) {
                    send(s.base, n, n + 100); // acknowledged: Kafka has them
                    n += 100;
                    Thread.sleep(500);
                    Http.Reply ready = Http.get(s.base + "/readyz");
                    if (ready.status() == 503) stalled = ready;
                }
                // readiness tells the truth: events wait and nothing is committed, past loader.stall_after
                assertThat(stalled).as("/readyz during the outage").isNotNull();
                assertThat(stalled.json().path("loader_stalled").path("seconds").asLong())
                        .isGreaterThanOrEqualTo(10);
                assertThat(stalled.json().path("loader_stalled").path("error").asText())
                        .isNotEmpty();
                assertThat(Http.get(s.base + "/metrics").body()).contains("catchment_loader_seconds_since_progress");
                clickhouse = clickhouse.restart();
                int expected = n;
                assertThat(Http.eventually(
                                Duration.ofSeconds(120),
                                () -> clickhouseCount("SELECT count() FROM outage.tick") >= expected))
                        .isTrue();
                assertThat(Http.eventually(
                                Duration.ofSeconds(30),
                                () -> Http.get(s.base + "/readyz").status() == 200))
                        .isTrue();
                assertThat(clickhouseCount("SELECT count() FROM outage.tick")).isEqualTo(expected);
                assertThat(clickhouseCount("SELECT uniqExact(id) FROM outage.tick"))
                        .isEqualTo(expected);
            } finally {
                if (!clickhouse.ping()) clickhouse = clickhouse.restart();
            }
        }
    }

    @Test
    void a_loader_killed_mid_batch_is_replaced_and_every_acknowledged_event_lands_once() throws Exception {
        String topic = "kill-events";
        Map<String, String> env = Map.ofEntries(
                Map.entry("CATCHMENT_LOG_TYPE", "kafka"),
                Map.entry("CATCHMENT_STORE_TYPE", "clickhouse"),
                Map.entry("CATCHMENT_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap()),
                Map.entry("CATCHMENT_KAFKA_TOPIC", topic),
                Map.entry("CATCHMENT_KAFKA_DEAD_LETTER_TOPIC", topic + ".dlq"),
                Map.entry("CATCHMENT_KAFKA_PARTITIONS", "4"),
                Map.entry("CATCHMENT_KAFKA_GROUP", topic + "-loaders"),
                // a dead member is noticed after 6 s (Kafka's default is 45 s)
                Map.entry("CATCHMENT_KAFKA_PROPERTIES", "session.timeout.ms=6000,heartbeat.interval.ms=1000"),
                Map.entry("CATCHMENT_CLICKHOUSE_URL", clickhouse.url()),
                Map.entry("CATCHMENT_CLICKHOUSE_DATABASE", "kill"),
                // small batches (a request's events are one record, and a batch holds whole records), so that the load
                // lasts
                // seconds: with 1,000-event batches the four partitions' loaders sometimes finished before the kill
                Map.entry("CATCHMENT_LOADER_BATCH_EVENTS", "100"));
        int total = 60_000;
        // every event acknowledged first (a collector-only node puts them in Kafka), then a loader process starts on
        // them
        try (InProcessServer collector = server(dir.resolve("collector"), "kill", topic, "loader.enabled", "false")) {
            for (int i = 0; i < total; i += 100) {
                StringBuilder b = new StringBuilder();
                for (int j = i; j < i + 100; j++) {
                    b.append("{\"id\":\"k")
                            .append(j)
                            .append("\",\"event\":\"Tick\",\"user_id\":\"u")
                            .append(j % 53)
                            .append("\",\"timestamp\":\"2024-06-01T10:00:00Z\",\"properties\":{\"i\":")
                            .append(j)
                            .append("}}\n");
                }
                Http.Reply r = Http.post(collector.base + "/v1/events", KEY, b.toString());
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
        }
        long loadedAtKill;
        try (ServerProcess victim = new ServerProcess(dir.resolve("victim")).start(env)) {
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> tableCount("kill.tick") > 0))
                    .isTrue();
            victim.kill(); // SIGKILL part-way through the load: no revocation, no last write
            loadedAtKill = tableCount("kill.tick");
        }
        assertThat(loadedAtKill).as("killed mid-load").isGreaterThan(0).isLessThan(total);
        try (InProcessServer heir = server(
                dir.resolve("heir"),
                "kill",
                topic,
                "kafka.properties",
                "session.timeout.ms=6000,heartbeat.interval.ms=1000")) {
            assertThat(Http.eventually(Duration.ofSeconds(120), () -> tableCount("kill.tick") >= total))
                    .isTrue();
            // the heir has nothing left to load and nothing in hand: no later write can add a row
            Http.loaderCaughtUp(heir.base, ADMIN, Duration.ofSeconds(60));
            assertThat(clickhouseCount("SELECT count() FROM kill.tick")).isEqualTo(total);
            assertThat(clickhouseCount("SELECT uniqExact(id) FROM kill.tick")).isEqualTo(total);
            assertThat(clickhouseCount("SELECT count() FROM kill.events")).isEqualTo(total);
        }
    }

    /** Rows in a table, 0 while it does not exist yet. */
    private static long tableCount(String table) throws Exception {
        String[] t = table.split("\\.");
        if (clickhouseCount(
                        "SELECT count() FROM system.tables WHERE database = '" + t[0] + "' AND name = '" + t[1] + "'")
                == 0) {
            return 0;
        }
        return clickhouseCount("SELECT count() FROM " + table);
    }

    @Test
    void a_direct_import_into_clickhouse_sets_its_bad_lines_on_the_dead_letter_topic() throws Exception {
        Path file = dir.resolve("mp.ndjson");
        try (var o = java.nio.file.Files.newOutputStream(file)) {
            io.catchment.bench.ExportGenerator.mixpanelNdjson(o, 4, 0, 20);
            o.write("not json\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path log = dir.resolve("import.log");
        Process p = ServerProcess.launch(
                Map.ofEntries(
                        Map.entry("CATCHMENT_LOG_TYPE", "kafka"),
                        Map.entry("CATCHMENT_STORE_TYPE", "clickhouse"),
                        Map.entry("CATCHMENT_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap()),
                        Map.entry("CATCHMENT_KAFKA_TOPIC", "imp-events"),
                        Map.entry("CATCHMENT_KAFKA_DEAD_LETTER_TOPIC", "imp-events.dlq"),
                        Map.entry("CATCHMENT_KAFKA_PARTITIONS", "4"),
                        Map.entry("CATCHMENT_CLICKHOUSE_URL", clickhouse.url()),
                        Map.entry("CATCHMENT_CLICKHOUSE_DATABASE", "impk")),
                log,
                "import",
                file.toString(),
                "--data-dir",
                dir.resolve("import-data").toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = java.nio.file.Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("loading straight into the store (ClickHouseSink, dead letters on the dead-letter topic)")
                .contains("20 loaded")
                .contains("1 dead-lettered");
        assertThat(clickhouseCount("SELECT count() FROM impk.events")).isEqualTo(20);
        assertThat(clickhouseCount("SELECT count() FROM impk._dead_letters"))
                .as("not in the store's table")
                .isZero();
        // a server of the group lists the bad line with its own dead letters
        try (InProcessServer s = server(dir.resolve("server"), "impk", "imp-events")) {
            var dlq = Http.get(s.base + "/v1/dlq", ADMIN).json();
            assertThat(dlq.path("pending").asInt()).isEqualTo(1);
            assertThat(dlq.path("dead_letters").get(0).path("reason").asText()).contains("mp.ndjson line 21");
        }
    }

    @Test
    void dead_letters_go_to_the_dead_letter_topic_and_replay_once_after_the_fix() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            batch.append("{\"id\":\"good-")
                    .append(i)
                    .append("\",\"event\":\"Wide\",\"timestamp\":\"2024-05-01T10:00:00Z\",")
                    .append("\"properties\":{\"n\":")
                    .append(i)
                    .append("}}\n");
        }
        batch.append("{\"id\":\"poison\",\"event\":\"Wide\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{");
        for (int i = 0; i < 40; i++)
            batch.append(i > 0 ? "," : "").append("\"p").append(i).append("\":").append(i);
        batch.append("}}\n");
        String key;
        try (InProcessServer s = server(dir.resolve("a"), "dlq", "dlq-events", "limits.max_fields_per_event", "30")) {
            Http.Reply r = Http.post(s.base + "/v1/events", KEY, batch.toString());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> tableCount("dlq.wide") == 50))
                    .isTrue();
            assertThat(Http.eventually(
                            Duration.ofSeconds(30),
                            () -> Http.get(s.base + "/v1/dlq", ADMIN)
                                            .json()
                                            .path("pending")
                                            .asInt()
                                    == 1))
                    .isTrue();
            var entry = Http.get(s.base + "/v1/dlq", ADMIN)
                    .json()
                    .path("dead_letters")
                    .get(0);
            assertThat(entry.path("event_id").asText()).isEqualTo("poison");
            assertThat(entry.path("reason").asText()).contains("max_fields_per_event");
            key = entry.path("key").asText();
            assertThat(clickhouseCount("SELECT count() FROM dlq._dead_letters"))
                    .as("not in the store's table")
                    .isZero();
        }
        // the record on the topic, as any Kafka tool sees it
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
                Map.of("bootstrap.servers", kafka.bootstrap()),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            var tps = consumer.partitionsFor("dlq-events.dlq").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            var end = consumer.endOffsets(tps);
            java.util.List<String> values = new java.util.ArrayList<>();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(key)) values.add(r.value());
                });
            }
            assertThat(values).hasSize(1);
            assertThat(values.get(0)).contains("\"event_id\":\"poison\"", "\"attempts\":1", "\"table\":\"");
        }
        // the fix (a higher limit) in a new process, which knows the dead letter from the topic alone
        try (InProcessServer s = server(dir.resolve("b"), "dlq", "dlq-events", "limits.max_fields_per_event", "100")) {
            assertThat(Http.get(s.base + "/v1/dlq", ADMIN)
                            .json()
                            .path("pending")
                            .asInt())
                    .isEqualTo(1);
            // the command line works on the topic as on a table
            Path out = dir.resolve("dlq-list.txt");
            Process cli =
                    ServerProcess.launch(Map.of("CATCHMENT_ADMIN_KEY", ADMIN), out, "dlq", "list", "--url", s.base);
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(java.nio.file.Files.readString(out)).contains("poison", "max_fields_per_event", "1 pending");
            assertThat(Http.post(s.base + "/v1/dlq/replay", ADMIN, "{\"all\":true}")
                            .json()
                            .path("replayed")
                            .asInt())
                    .isEqualTo(1);
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> tableCount("dlq.wide") == 51))
                    .isTrue();
            // replaying again (replayed ones only by key) adds nothing
            assertThat(Http.post(s.base + "/v1/dlq/replay", ADMIN, "{\"keys\":[\"" + key + "\"]}")
                            .json()
                            .path("replayed")
                            .asInt())
                    .isEqualTo(1);
            assertThat(Http.eventually(
                            Duration.ofSeconds(30),
                            () -> Http.get(s.base + "/readyz")
                                            .json()
                                            .path("loader_lag_records")
                                            .asLong()
                                    == 0))
                    .isTrue();
            // the Prometheus gauge agrees, summed over this process's partitions (it took one partition's offset
            // before)
            assertThat(Http.get(s.base + "/metrics").body()).contains("catchment_log_lag_records 0.0");
            Http.caughtUp(s.base, ADMIN, Duration.ofSeconds(30));
            assertThat(clickhouseCount("SELECT count() FROM dlq.wide")).isEqualTo(51);
            assertThat(clickhouseCount("SELECT properties_p39 FROM dlq.wide WHERE id = 'poison'"))
                    .isEqualTo(39);
            assertThat(Http.get(s.base + "/v1/dlq", ADMIN)
                            .json()
                            .path("pending")
                            .asInt())
                    .isZero();
        }
    }
}
