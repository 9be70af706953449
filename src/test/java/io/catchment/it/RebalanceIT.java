package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.testing.ClickHouseServer;
import io.catchment.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several loader processes on one Kafka topic and one ClickHouse store, with the group rebalancing under them: a
 * process joins while two load a backlog, and one of the two is killed with SIGKILL while the group rebalances. Every
 * acknowledged event lands once, each value in its own column.
 */
@Timeout(420)
class RebalanceIT {
    static final String KEY = "rebalance_write_key";
    static final String ADMIN = "rebalance_admin_key";
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

    private static Map<String, String> settings(String topic) {
        Map<String, String> s = new HashMap<>();
        s.put("log.type", "kafka");
        s.put("store.type", "clickhouse");
        s.put("kafka.bootstrap_servers", kafka.bootstrap());
        s.put("kafka.topic", topic);
        s.put("kafka.dead_letter_topic", topic + ".dlq");
        s.put("kafka.partitions", "6");
        s.put("kafka.group", topic + "-loaders");
        s.put("kafka.properties", "session.timeout.ms=6000,heartbeat.interval.ms=1000");
        s.put("clickhouse.url", clickhouse.url());
        s.put("clickhouse.database", "rebalance");
        s.put("schema.layout", "single");
        s.put("loader.batch_events", "200"); // small batches, so the load lasts through the rebalance
        return s;
    }

    private static Map<String, String> env(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        settings.forEach((k, v) -> env.put("CATCHMENT_" + k.toUpperCase().replace('.', '_'), v));
        return env;
    }

    private static String[] flat(Map<String, String> settings, String... more) {
        java.util.List<String> out = new java.util.ArrayList<>();
        settings.forEach((k, v) -> {
            out.add(k);
            out.add(v);
        });
        out.addAll(java.util.List.of(more));
        return out.toArray(String[]::new);
    }

    private static long clickhouseCount(String sql) throws Exception {
        return clickhouse.count(sql);
    }

    private static long loaded() throws Exception {
        if (clickhouseCount("SELECT count() FROM system.tables WHERE database = 'rebalance' AND name = 'events'") == 0)
            return 0;
        return clickhouseCount("SELECT count() FROM rebalance.events");
    }

    private static int partitions(ServerProcess p) throws Exception {
        JsonNode loader =
                Http.get(p.url("/v1/status"), ServerProcess.ADMIN_KEY).json().path("loader");
        return loader.path("kafka_partitions").size();
    }

    @Test
    void a_loader_killed_while_the_group_rebalances_loses_and_doubles_nothing() throws Exception {
        String topic = "rebalance-events";
        Map<String, String> settings = settings(topic);
        int total = 24_000;
        long t0 = System.nanoTime();
        try (InProcessServer collector =
                new InProcessServer(dir.resolve("collector"), KEY, ADMIN, flat(settings, "loader.enabled", "false"))) {
            for (int i = 0; i < total; i += 200)
                assertThat(Http.post(collector.base + "/v1/events", KEY, SqsDeliveryIT.events(i, 200))
                                .status())
                        .isEqualTo(200);
        }
        try (ServerProcess a = new ServerProcess(dir.resolve("a")).start(env(settings));
                ServerProcess b = new ServerProcess(dir.resolve("b")).start(env(settings))) {
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> partitions(a) + partitions(b) == 6))
                    .as("a and b share the partitions")
                    .isTrue();
            assertThat(Http.eventually(Duration.ofSeconds(60), () -> loaded() > 0))
                    .isTrue();
            try (InProcessServer c = new InProcessServer(dir.resolve("c"), KEY, ADMIN, flat(settings))) {
                Thread.sleep(700); // c has joined: the group is rebalancing, a and b let go of partitions
                b.kill(); // SIGKILL mid-rebalance: no revocation finished, no last write
                long atKill = loaded();
                System.out.printf(
                        "rebalance: b killed at %d ms, %d loaded%n", (System.nanoTime() - t0) / 1_000_000, atKill);
                assertThat(atKill).as("killed part-way through the load").isLessThan(total);
                assertThat(Http.eventually(Duration.ofSeconds(180), () -> loaded() >= total))
                        .isTrue();
                System.out.printf("rebalance: all loaded at %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                Http.loaderCaughtUp(c.base, ADMIN, Duration.ofSeconds(60));
                assertThat(Http.eventually(
                                Duration.ofSeconds(60),
                                () -> partitions(a)
                                                + Http.get(c.base + "/v1/status", ADMIN)
                                                        .json()
                                                        .path("loader")
                                                        .path("kafka_partitions")
                                                        .size()
                                        == 6))
                        .as("a and c own every partition")
                        .isTrue();
                Http.loaderCaughtUp(a.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(60));
            }
        }
        assertThat(clickhouseCount("SELECT count() FROM rebalance.events")).isEqualTo(total);
        assertThat(clickhouseCount("SELECT uniqExact(id) FROM rebalance.events"))
                .isEqualTo(total);
        assertThat(clickhouseCount(
                        "SELECT count() FROM rebalance.events WHERE properties_n != concat('n', substring(id, 2))"))
                .as("n in its own column")
                .isZero();
        StringBuilder wrong = new StringBuilder("SELECT count() FROM rebalance.events WHERE 0");
        for (int k = 0; k < 60; k++) {
            String c = "properties_k" + k;
            wrong.append(" OR (")
                    .append(c)
                    .append(" IS NOT NULL AND (")
                    .append(c)
                    .append(" != concat('v', substring(id, 2)) OR toUInt32(substring(id, 2)) % 60 != ")
                    .append(k)
                    .append("))");
        }
        assertThat(clickhouseCount(wrong.toString()))
                .as("every k column holds only its own events' values")
                .isZero();
        assertThat(clickhouseCount("SELECT count() FROM rebalance.events WHERE properties_k59 IS NOT NULL"))
                .isEqualTo(total / 60);
    }
}
