package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.sink.UserTraits;
import io.catchment.sink.UserUpdate;
import io.catchment.testing.ClickHouseServer;
import io.catchment.testing.ElasticMq;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 with real processes: two {@code catchment serve} loaders on one SQS queue (ElasticMQ) and one ClickHouse
 * database load identify events of the same 4 users at the same time, in batches of 40 that each touch every user.
 * Every user's traits must end as the merge rule applied to all the events gives them.
 */
@Timeout(300)
class SqsUsersIT {
    static final String KEY = "sqs_users_key";
    static final String ADMIN = "sqs_users_admin";
    static final int USERS = 4;
    static final int EVENTS = 4000;
    static ElasticMq mq;
    static ClickHouseServer clickhouse;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", "test"); // the SDK's default chain; ElasticMQ takes any
        System.setProperty("aws.secretAccessKey", "test");
        mq = ElasticMq.start();
        clickhouse = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (clickhouse != null) clickhouse.close();
        if (mq != null) mq.close();
    }

    @Test
    void two_loader_processes_on_one_queue_keep_every_users_traits() throws Exception {
        List<UserUpdate> all = new ArrayList<>();
        try (InProcessServer collector = new InProcessServer(
                dir.resolve("collector"),
                KEY + "=web",
                ADMIN,
                "log.type",
                "sqs",
                "sqs.endpoint",
                mq.endpoint(),
                "sqs.region",
                "us-east-1",
                "sqs.queue",
                "users",
                "loader.enabled",
                "false",
                "sqs.max_message_bytes",
                "16KB")) { // many small messages, for both loaders to take
            for (int from = 0; from < EVENTS; from += 40) {
                assertThat(Http.post(collector.base + "/v1/events", KEY, identifies(from, 40, all))
                                .status())
                        .isEqualTo(200);
            }
        }
        Map<String, String> env = Map.of(
                "CATCHMENT_LOG_TYPE", "sqs",
                "CATCHMENT_SQS_ENDPOINT", mq.endpoint(),
                "CATCHMENT_SQS_REGION", "us-east-1",
                "CATCHMENT_SQS_QUEUE", "users",
                "CATCHMENT_STORE_TYPE", "clickhouse",
                "CATCHMENT_CLICKHOUSE_URL", clickhouse.url(),
                "CATCHMENT_CLICKHOUSE_DATABASE", "sqsusers",
                "CATCHMENT_LOADER_BATCH_EVENTS", "40",
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test");
        try (ServerProcess a = new ServerProcess(dir.resolve("a")).start(env);
                // the second process starts once the first has loaded, on a store that already records the queue's
                // offset (the start-up refusal this once met depends on a commit between two reads: LogBatchesTest)
                ServerProcess b = startAfterLoading(env)) {
            assertThat(Http.eventually(Duration.ofSeconds(90), () -> identifies() >= EVENTS))
                    .as("loaded: %d of %d; logs in %s", identifies(), EVENTS, dir)
                    .isTrue();
            Http.loaderCaughtUp(a.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(60));
            Http.loaderCaughtUp(b.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(60));
        }
        assertThat(identifies()).isEqualTo(EVENTS);
        Map<String, UserTraits.Row> expected = new HashMap<>();
        UserTraits.applyAll(expected, all);
        Map<String, Object> stored = new HashMap<>();
        for (String line : clickhouse
                .sql("SELECT user_id, traits FROM sqsusers.users FINAL FORMAT TabSeparated")
                .lines()
                .toList()) {
            String[] cells = line.split("\t");
            stored.put(cells[0], EventJson.MAPPER.readTree(cells[1]));
        }
        Map<String, Object> want = new HashMap<>();
        expected.forEach((user, row) -> want.put(user, row.traits));
        assertThat(stored).isEqualTo(want);
    }

    private ServerProcess startAfterLoading(Map<String, String> env) throws Exception {
        assertThat(Http.eventually(Duration.ofSeconds(60), () -> identifies() > 0))
                .as("the first process loads")
                .isTrue();
        return new ServerProcess(dir.resolve("b")).start(env);
    }

    private static long identifies() {
        try {
            if (clickhouse.count(
                            "SELECT count() FROM system.tables WHERE database = 'sqsusers' AND name = 'identifies'")
                    == 0) return 0;
            return clickhouse.count("SELECT count() FROM sqsusers.identifies");
        } catch (Exception e) {
            return 0;
        }
    }

    /** Identify events {@code from}…: user {@code k % 4}, a second apart, a plan and one of 25 other traits. */
    private static String identifies(int from, int n, List<UserUpdate> all) {
        StringBuilder b = new StringBuilder();
        for (int k = from; k < from + n; k++) {
            String user = "u" + (k % USERS);
            String at = Instant.parse("2024-06-01T10:00:00Z").plusSeconds(k).toString();
            ObjectNode traits =
                    EventJson.MAPPER.createObjectNode().put("plan", "p" + k).put("g" + (k % 25), k);
            all.add(new UserUpdate(user, at, traits));
            b.append("{\"id\":\"i")
                    .append(k)
                    .append("\",\"type\":\"identify\",\"user_id\":\"")
                    .append(user)
                    .append("\",\"timestamp\":\"")
                    .append(at)
                    .append("\",\"traits\":")
                    .append(traits)
                    .append("}\n");
        }
        return b.toString();
    }
}
