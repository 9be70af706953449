package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the store through a Kafka log with several partitions loaded by one process: every partition's
 * events land once, every value in its own column, while new tables and columns appear all through the backlog (the
 * loaders of one process share the store's catalog; {@link SqsDeliveryIT} found that race on SQS first).
 */
@Timeout(300)
class KafkaDeliveryIT {
    static final String KEY = "kafka_delivery_key";
    static final String ADMIN = "kafka_delivery_admin";
    static KafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
    }

    private InProcessServer server(Path data, String topic, String... more) throws Exception {
        String[] base = {
            "log.type",
            "kafka",
            "kafka.bootstrap_servers",
            kafka.bootstrap(),
            "kafka.topic",
            topic,
            "kafka.dead_letter_topic",
            topic + ".dlq",
            "kafka.partitions",
            "4",
            "kafka.group",
            topic + "-loaders"
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return new InProcessServer(data, KEY, ADMIN, all);
    }

    private static long count(String base, String sql) throws Exception {
        return Http.count(base, ADMIN, sql);
    }

    @Test
    void a_backlog_on_four_partitions_lands_once_each_value_in_its_own_column() throws Exception {
        int total = 30_000;
        try (InProcessServer collector = server(dir.resolve("c"), "race", "loader.enabled", "false")) {
            for (int i = 0; i < total; i += 200)
                assertThat(Http.post(collector.base + "/v1/events", KEY, SqsDeliveryIT.events(i, 200))
                                .status())
                        .isEqualTo(200);
        }
        try (InProcessServer s =
                server(dir.resolve("l"), "race", "loader.batch_events", "1500", "schema.layout", "single")) {
            assertThat(Http.eventually(
                            Duration.ofSeconds(120), () -> count(s.base, "SELECT count(*) FROM events") >= total))
                    .isTrue();
            Http.loaderCaughtUp(s.base, ADMIN, Duration.ofSeconds(60));
            SqsDeliveryIT.landedOnceInTheirColumns(s.base, ADMIN, total, 60);
            assertThat(Http.get(s.base + "/v1/status", ADMIN)
                            .json()
                            .path("loader")
                            .path("kafka_partitions"))
                    .hasSize(4);
        }
    }
}
