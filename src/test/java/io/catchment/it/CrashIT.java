package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server with SIGKILL while clients are sending and the loader is loading, twice, restarts it, and proves
 * that every acknowledged event is queryable exactly once. Every batch has fresh ids (a batch whose request died with
 * the server is not resent), so any duplicate would be ours, and a batch in flight at the kill may be there or not,
 * but at most once.
 */
@Timeout(300)
class CrashIT {
    static final int CLIENTS = 6;
    static final int BATCH = 50;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void every_acknowledged_event_is_queryable_exactly_once_after_kill_9() throws Exception {
        Path data = tmp.resolve("data");
        List<Set<Integer>> acked = new ArrayList<>();
        AtomicInteger nextBatch = new AtomicInteger();
        for (int c = 0; c < CLIENTS; c++) acked.add(new ConcurrentSkipListSet<>());
        for (int round = 0; round < 2; round++) {
            try (ServerProcess server = new ServerProcess(data).start()) {
                long ackedBefore = acked.stream().mapToLong(Set::size).sum();
                long loadedBefore = loaded(server);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Set<Integer> mine = acked.get(c);
                    int client = c;
                    Thread t = new Thread(() -> send(server, client, nextBatch, mine, stop));
                    t.start();
                    clients.add(t);
                }
                // kill once the clients are being acknowledged and the loader has committed in this run: mid-traffic
                // and mid-load
                assertThat(Http.eventually(
                                Duration.ofSeconds(60),
                                () -> acked.stream().mapToLong(Set::size).sum() - ackedBefore >= 40
                                        && loaded(server) > loadedBefore))
                        .as("round %d: batches acknowledged and loaded before the kill", round)
                        .isTrue();
                server.kill();
                stop.set(true);
                for (Thread t : clients) t.join();
            }
        }
        try (ServerProcess server = new ServerProcess(data).start()) {
            long total = acked.stream().mapToLong(Set::size).sum() * BATCH;
            assertThat(total).as("events acknowledged before the kills").isGreaterThan(1000);
            assertThat(Http.eventually(
                            Duration.ofSeconds(60),
                            () -> Http.sql(server.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*) FROM events")
                                            .get(0)
                                            .get(0)
                                            .asLong()
                                    >= total))
                    .as("acknowledged events loaded")
                    .isTrue();
            Http.eventually(
                    Duration.ofSeconds(30),
                    () -> Http.get(server.url("/readyz"))
                                    .json()
                                    .path("loader_lag_records")
                                    .asLong()
                            == 0);
            for (String table : List.of("events", "crash_test")) {
                JsonNode dups = Http.sql(
                        server.url(""),
                        ServerProcess.ADMIN_KEY,
                        "SELECT id, count(*) FROM " + table + " GROUP BY id HAVING count(*) > 1 LIMIT 5");
                assertThat(dups).as("%s: ids stored more than once", table).isEmpty();
                for (int c = 0; c < CLIENTS; c++) {
                    if (acked.get(c).isEmpty()) continue;
                    String batches = acked.get(c).stream().map(String::valueOf).collect(Collectors.joining(","));
                    long present = Http.sql(
                                    server.url(""),
                                    ServerProcess.ADMIN_KEY,
                                    "SELECT count(*) FROM " + table
                                            + " WHERE CAST(split_part(id, ':', 2) AS INTEGER) IN (" + batches + ")")
                            .get(0)
                            .get(0)
                            .asLong();
                    assertThat(present)
                            .as("%s client %d: acknowledged events present", table, c)
                            .isEqualTo((long) acked.get(c).size() * BATCH);
                }
            }
        }
    }

    /**
     * A backlog of 180,000 events is loaded in 60,000-event batches, so every table's part of a batch fills whole row
     * groups, which DuckDB writes into the database file before the commit (its optimistic write path). The server is
     * killed three times mid-load; rows of a batch that never committed must not come back, so after the last restart
     * every event is in each table exactly once.
     */
    @Test
    void a_loader_killed_while_writing_whole_row_groups_loads_every_event_exactly_once() throws Exception {
        Path data = tmp.resolve("data");
        int events = 180_000;
        try (ServerProcess server = new ServerProcess(data).start(Map.of("CATCHMENT_LOADER_ENABLED", "false"))) {
            for (int batch = 0; batch < events / 1000; batch++) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < 1000; i++) {
                    b.append("{\"id\":\"r:")
                            .append(batch)
                            .append(':')
                            .append(i)
                            .append("\",\"event\":\"")
                            .append(i % 2 == 0 ? "Row Group A" : "Row Group B")
                            .append("\",\"userId\":\"u")
                            .append(i % 97)
                            .append("\",\"properties\":{\"batch\":")
                            .append(batch)
                            .append(",\"note\":\"")
                            .append("y".repeat(i % 30))
                            .append("\"}}\n");
                }
                assertThat(Http.post(server.url("/v1/events"), ServerProcess.WRITE_KEY, b.toString())
                                .status())
                        .isEqualTo(200);
            }
        }
        Map<String, String> loader = Map.of("CATCHMENT_LOADER_BATCH_EVENTS", "60000");
        // kills: early in a run (its first batch), as soon as a batch has committed (mid next batch), and later
        List<Long> loadedAtKill = new ArrayList<>();
        for (long wait : List.of(300L, -1L, 900L)) {
            try (ServerProcess server = new ServerProcess(data).start(loader)) {
                if (wait >= 0) {
                    Thread.sleep(wait); // a kill point in time, not a wait for anything: where it lands is the test
                } else {
                    long before = loaded(server);
                    Http.eventually(Duration.ofSeconds(30), () -> loaded(server) > before);
                }
                loadedAtKill.add(loaded(server));
                server.kill();
            }
        }
        assertThat(loadedAtKill).as("events loaded just before each kill").anyMatch(n -> n > 0 && n < events);
        try (ServerProcess server = new ServerProcess(data).start(loader)) {
            assertThat(Http.eventually(
                            Duration.ofSeconds(60),
                            () -> Http.get(server.url("/readyz"))
                                            .json()
                                            .path("loader_lag_records")
                                            .asLong()
                                    == 0))
                    .as("backlog loaded")
                    .isTrue();
            for (var table : Map.of("events", events, "row_group_a", events / 2, "row_group_b", events / 2)
                    .entrySet()) {
                JsonNode r = Http.sql(
                                server.url(""),
                                ServerProcess.ADMIN_KEY,
                                "SELECT count(*), count(DISTINCT id) FROM " + table.getKey())
                        .get(0);
                assertThat(r.get(0).asLong()).as("%s: rows", table.getKey()).isEqualTo((long) table.getValue());
                assertThat(r.get(1).asLong())
                        .as("%s: distinct ids", table.getKey())
                        .isEqualTo((long) table.getValue());
            }
        }
    }

    /** Events committed to the store so far: 0 until the first batch has created the table. */
    private static long loaded(ServerProcess server) throws Exception {
        String sql = "SELECT estimated_size FROM duckdb_tables() WHERE table_name = 'events'";
        JsonNode rows = Http.sql(server.url(""), ServerProcess.ADMIN_KEY, sql);
        if (rows.isEmpty()) return 0;
        return Http.sql(server.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*) FROM events")
                .get(0)
                .get(0)
                .asLong();
    }

    /** Sends batches one after another with ids b:<batch>:<i>, recording which batches were acknowledged. */
    private static void send(
            ServerProcess server, int client, AtomicInteger nextBatch, Set<Integer> acked, AtomicBoolean stop) {
        while (!stop.get()) {
            int batch = nextBatch.getAndIncrement();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < BATCH; i++) {
                b.append("{\"id\":\"b:")
                        .append(batch)
                        .append(':')
                        .append(i)
                        .append("\",\"event\":\"Crash Test\",")
                        .append("\"userId\":\"u")
                        .append(i % 17)
                        .append("\",\"properties\":{\"batch\":")
                        .append(batch)
                        .append(",\"client\":")
                        .append(client)
                        .append(",\"note\":\"")
                        .append("x".repeat(i % 40))
                        .append("\"}}\n");
            }
            try {
                Http.Reply r = Http.post(server.url("/v1/events"), ServerProcess.WRITE_KEY, b.toString());
                if (r.status() == 200) acked.add(batch);
            } catch (Exception e) {
                return; // the server is gone; this batch may or may not be stored, and is never resent
            }
        }
    }
}
