package io.catchment.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.sink.Dedup;
import io.catchment.sink.UserUpdate;
import io.catchment.sink.WriteBatch;
import io.catchment.sink.clickhouse.ClickHouseSink;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: what {@code users} costs a ClickHouse write per batch, printed (issue 23, the read back after the
 * insert). One sink, a pool of 10,000 users that all have a row, then timed batches of user updates only. Run with
 * {@code -Dit.test=ClickHouseUsersCostBench} (not an IT: the suite does not run it); see BENCHMARKS.md, issue 23.
 */
@Timeout(600)
class ClickHouseUsersCostBench {
    static final int POOL = 10_000;

    @TempDir
    Path dir;

    @Test
    void users_write_per_batch() throws Exception {
        try (ClickHouseServer server = ClickHouseServer.start();
                ClickHouseSink sink = new ClickHouseSink(
                        server.url(), "cost", "default", "", "", dir, Dedup.of(true, 1, 64L << 20), 1000, 64L << 20)) {
            SplittableRandom random = new SplittableRandom(23);
            long offset = 0;
            for (int b = 0; b < POOL / 1000; b++) { // every user gets a row
                List<UserUpdate> u = new ArrayList<>();
                for (int i = b * 1000; i < (b + 1) * 1000; i++) u.add(update(i, offset, random));
                sink.write(batch(u, ++offset));
            }
            for (int size : new int[] {1000, 10_000, 1000, 10_000}) {
                int runs = size == 1000 ? 40 : 8;
                long[] ms = new long[runs];
                for (int r = 0; r < runs; r++) {
                    List<UserUpdate> u = new ArrayList<>();
                    for (int i = 0; i < size; i++) u.add(update(random.nextInt(POOL), offset, random));
                    long t0 = System.nanoTime();
                    sink.write(batch(u, ++offset));
                    ms[r] = (System.nanoTime() - t0) / 1_000_000;
                }
                Arrays.sort(ms);
                System.out.printf(
                        "users cost: %,d updates a batch, %d batches: median %d ms, min %d, max %d%n",
                        size, runs, ms[runs / 2], ms[0], ms[runs - 1]);
            }
        }
    }

    private static UserUpdate update(int user, long offset, SplittableRandom random) {
        ObjectNode t = EventJson.MAPPER.createObjectNode();
        t.put("plan", "plan" + random.nextInt(4));
        t.put("visits", offset);
        t.put("email", "user" + user + "@example.com");
        String at = Instant.parse("2024-05-01T00:00:00Z")
                .plusMillis(offset * 1000 + random.nextInt(1000))
                .toString();
        return new UserUpdate("user-" + user, at, t, null);
    }

    private static WriteBatch batch(List<UserUpdate> updates, long offset) {
        return new WriteBatch(List.of(), List.of(), null, List.of(), "log", offset, updates);
    }
}
