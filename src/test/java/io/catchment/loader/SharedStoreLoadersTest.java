package io.catchment.loader;

import static io.catchment.loader.LoaderTest.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.deadletter.DeadLetterStore;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.schema.Router;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several loaders of one process on one store (Kafka's, one per partition) share its catalog through a
 * {@link StoreTurn}: while tables and columns appear all through their logs and the store refuses some events, every
 * event lands once (or as a dead letter), every value in its own column.
 */
class SharedStoreLoadersTest {
    @TempDir
    Path dir;

    /** Event i of log p: a table of its own among 7, a key new every 25 events (the same in every log), and every 601st refused ("Poison"). */
    private static byte[] record(int p, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            int n = p * 100_000 + i;
            String name = n % 601 == 0 ? "Poison" : "T" + (n % 7);
            b.append("{\"id\":\"e")
                    .append(n)
                    .append("\",\"type\":\"track\",\"event\":\"")
                    .append(name)
                    .append("\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"n\":\"n")
                    .append(n)
                    .append("\",\"k")
                    .append(i / 25)
                    .append("\":\"v")
                    .append(n)
                    .append("\"}}\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void four_loaders_on_one_store_land_every_event_once_in_its_own_columns() throws Exception {
        int logs = 4;
        int perLog = 2_000;
        List<LocalLog> open = new ArrayList<>();
        try (LoaderTest.FaultyStore store = new LoaderTest.FaultyStore(new DuckDbSink(dir, "512MB", "16MB"))) {
            StoreTurn turn = new StoreTurn();
            List<Loader> loaders = new ArrayList<>();
            for (int p = 0; p < logs; p++) {
                LocalLog log = new LocalLog(dir.resolve("log" + p), 1 << 20, 1 << 30, Duration.ZERO);
                open.add(log);
                for (int r = 0; r < perLog; r += 50) log.append(record(p, r, r + 50));
                loaders.add(new Loader(
                                log,
                                store,
                                new Metrics(),
                                120,
                                Duration.ofMillis(20),
                                1000,
                                1000,
                                new Router(),
                                "part-" + p)
                        .sharing(turn));
            }
            loaders.forEach(Loader::start);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (int p = 0; p < logs; p++) {
                while (loaders.get(p).position() < open.get(p).endOffset() && System.nanoTime() < deadline)
                    Thread.sleep(20);
                assertThat(loaders.get(p).position()).isEqualTo(open.get(p).endOffset());
            }
            loaders.forEach(Loader::close);

            int total = logs * perLog;
            long poison = 0;
            for (int p = 0; p < logs; p++) for (int i = 0; i < perLog; i++) if ((p * 100_000 + i) % 601 == 0) poison++;
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(total - poison);
            assertThat(count(store, "SELECT count(DISTINCT id) FROM events")).isEqualTo(total - poison);
            assertThat(store.deadLetters(DeadLetterStore.Filter.PENDING, 1000))
                    .hasSize((int) poison)
                    .allSatisfy(d -> assertThat(d.reason()).contains("injected refusal"));
            for (int t = 0; t < 7; t++) {
                assertThat(count(store, "SELECT count(*) FROM t" + t + " WHERE properties_n <> 'n' || substr(id, 2)"))
                        .as("n in its own column of t" + t)
                        .isZero();
            }
            for (int t = 0; t < 7; t++) {
                assertThat(count(
                                store,
                                "SELECT count(*) FROM (UNPIVOT t" + t
                                        + " ON COLUMNS('^properties_k[0-9]+$') INTO NAME c"
                                        + " VALUE v) WHERE v <> 'v' || substr(id, 2)"
                                        + " OR c <> 'properties_k' || (CAST(substr(id, 2) AS INTEGER) % 100000 // 25)"))
                        .as("every k column of t" + t + " holds only its own events' values")
                        .isZero();
            }
            assertThat(count(store, "SELECT count(*) FROM t0 WHERE properties_k79 IS NOT NULL"))
                    .isPositive();
        } finally {
            for (LocalLog l : open) l.close();
        }
    }
}
