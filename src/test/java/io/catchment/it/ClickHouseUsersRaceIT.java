package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.sink.Dedup;
import io.catchment.sink.UserUpdate;
import io.catchment.sink.WriteBatch;
import io.catchment.sink.clickhouse.ClickHouseSink;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: two loading processes (two {@link ClickHouseSink}s on one database, as two {@code catchment serve} over
 * SQS would have) write batches of the same few users at the same moment. Each rewrites {@code users} by reading its
 * rows and inserting new versions, so without care one process's version wins and the other's updates are lost. The
 * users must end as one process loading every event would leave them.
 */
@Timeout(300)
class ClickHouseUsersRaceIT {
    static final int USERS = 4;
    static final int BATCHES = 40;
    static final Instant START = Instant.parse("2024-05-01T10:00:00Z");
    static ClickHouseServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void two_processes_writing_the_same_users_at_once_end_with_every_update() throws Exception {
        Map<String, List<String>> alone;
        try (ClickHouseSink one = sink("alone", "one")) {
            for (int i = 0; i < BATCHES; i++) {
                for (int p = 0; p < 2; p++) one.write(batch(p, i));
            }
            alone = users(one);
        }
        Map<String, List<String>> raced;
        try (ClickHouseSink a = sink("raced", "a");
                ClickHouseSink b = sink("raced", "b")) {
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                ClickHouseSink[] sinks = {a, b};
                for (int p = 0; p < 2; p++) {
                    int process = p;
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < BATCHES; i++) {
                            together.await(30, TimeUnit.SECONDS); // both write batch i at the same moment
                            sinks[process].write(batch(process, i));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(240, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
            raced = users(a);
        }
        assertThat(alone).hasSize(USERS);
        assertThat(raced).isEqualTo(alone);
    }

    @Test
    void the_writes_kept_for_the_read_back_lose_their_days_before_yesterday() throws Exception {
        try (ClickHouseSink first = sink("pruned", "first")) {
            first.write(batch(0, 0)); // creates the tables, and drops nothing yet
        }
        server.sql("INSERT INTO pruned._users_writes (user_id, traits, trait_times, updated_at, version) VALUES"
                + " ('old', '{}', '{}', '2024-05-01 10:00:00', 1)");
        try (ClickHouseSink second = sink("pruned", "second")) {
            second.write(batch(0, 1)); // a new sink drops the old days at its first users write
        }
        assertThat(server.count("SELECT count() FROM pruned._users_writes WHERE user_id = 'old'"))
                .isZero();
        assertThat(server.count("SELECT count() FROM pruned._users_writes")).isEqualTo(2L * USERS);
    }

    private ClickHouseSink sink(String database, String name) throws Exception {
        return new ClickHouseSink(
                server.url(),
                database,
                "default",
                "",
                "",
                dir.resolve(name),
                Dedup.of(true, 1, 64L << 20),
                1000,
                64L << 20);
    }

    /**
     * Process {@code p}'s batch {@code i}: for every user, traits at event time {@code 2i + p} seconds (so the two
     * processes' events interleave): a set every time, a trait of its own, a set_once, and a trait set and unset in turn.
     */
    static WriteBatch batch(int p, int i) {
        List<UserUpdate> updates = new ArrayList<>();
        String at = START.plusSeconds(2L * i + p).plusMillis(250).toString();
        for (int u = 0; u < USERS; u++) {
            ObjectNode t = EventJson.MAPPER.createObjectNode();
            t.put("plan", "p" + p + "-" + i);
            t.put("by_" + p, i);
            t.put("batch_" + p + "_" + i, true); // its own trait, so that any batch's loss shows
            t.putObject("$set_once").put("signup_" + (i % 3), "p" + p + "-" + i);
            if ((i + p) % 4 == 0) t.put("temp", i);
            else if ((i + p) % 4 == 2) t.putArray("$unset").add("temp");
            updates.add(new UserUpdate("u" + u, at, t, "e" + p + "-" + i + "-" + u));
        }
        return new WriteBatch(List.of(), List.of(), null, List.of(), "log" + p, i + 1, updates);
    }

    /** Every user's row as {@code FINAL} reads it: traits and trait_times (as parsed JSON), first and last seen. */
    static Map<String, List<String>> users(ClickHouseSink sink) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        var result = sink.query(
                "SELECT user_id, traits, trait_times, toString(first_seen), toString(last_seen) FROM users FINAL",
                1000,
                Duration.ofSeconds(30));
        for (List<Object> r : result.rows()) {
            JsonNode traits = EventJson.MAPPER.readTree(String.valueOf(r.get(1)));
            JsonNode times = EventJson.MAPPER.readTree(String.valueOf(r.get(2)));
            // parsed and written again with sorted keys, so that the order traits arrived in does not matter
            out.put(
                    String.valueOf(r.get(0)),
                    List.of(sorted(traits), sorted(times), String.valueOf(r.get(3)), String.valueOf(r.get(4))));
        }
        return out;
    }

    private static String sorted(JsonNode n) throws Exception {
        Object plain = EventJson.MAPPER.treeToValue(n, Object.class);
        return EventJson.MAPPER
                .copy()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .writeValueAsString(plain);
    }
}
