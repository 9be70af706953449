package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterStore;
import io.catchment.schema.Router;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import's writer prepares one batch while it writes the one before: a refused batch, and the batches already
 * prepared behind it, must still each land exactly once, in order, with their checkpoints.
 */
class ImportWriterTest {
    @TempDir
    Path dir;

    private static long[] lineNumbers(int from, int to) {
        long[] n = new long[to - from];
        for (int i = 0; i < n.length; i++) n[i] = from + i + 1;
        return n;
    }

    @Test
    void refused_batches_and_those_behind_them_land_once_with_their_checkpoints() throws Exception {
        try (LoaderTest.FaultyStore store = new LoaderTest.FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            ImportWriter writer = new ImportWriter(store, new Router(), 1000, 1000);
            // 20 batches of 100 events; batches 3 and 4 and 12 hold refused events; batch 7 carries a line that did not
            // map
            for (int b = 0; b < 20; b++) {
                int from = b * 100;
                boolean poisoned = b == 3 || b == 4 || b == 12;
                List<DeadLetter> bad = b == 7
                        ? List.of(new DeadLetter(
                                null,
                                null,
                                "m line 9999: not JSON",
                                "{\"member\":\"m\",\"line\":9999,\"raw\":\"{nope\"}",
                                9999))
                        : List.of();
                writer.submit(
                        LoaderTest.record(from, from + 100, poisoned ? 33 : 0),
                        lineNumbers(from, from + 100),
                        List.of(new ImportCheckpoint("job", "m", from + 101, from + 100, b >= 7 ? 1 : 0)),
                        bad);
            }
            writer.finish();
            // poison events: i % 33 == 0 in batches 3 (300..399: 330, 363, 396), 4 (429, 462, 495) and 12 (1221, 1254,
            // 1287)
            assertThat(LoaderTest.count(store, "SELECT count(*) FROM fine")).isEqualTo(2000 - 9);
            assertThat(LoaderTest.count(store, "SELECT count(DISTINCT id) FROM events"))
                    .isEqualTo(2000 - 9);
            assertThat(LoaderTest.count(store, "SELECT count(*) FROM events")).isEqualTo(2000 - 9);
            assertThat(store.deadLetters(DeadLetterStore.Filter.PENDING, 100)).hasSize(10);
            assertThat(writer.events.get()).isEqualTo(2000 - 9);
            assertThat(writer.deadLetters.get()).isEqualTo(10);
            assertThat(store.importCheckpoint("job", "m"))
                    .contains(new ImportCheckpoint("job", "m", 1901 + 100, 2000, 1));
            assertThat(store.loadedOffset("job")).isEqualTo(-1); // an import moves no log consumer
            // the writer is slower than the prepare thread here: batches were already prepared behind the refused ones
            assertThat(writer.setAsideBatches.get()).isPositive();
        }
    }

    @Test
    void a_store_away_for_a_while_is_retried_and_nothing_is_lost() throws Exception {
        try (LoaderTest.FaultyStore store = new LoaderTest.FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            store.transientFailures.set(3);
            ImportWriter writer = new ImportWriter(store, new Router(), 1000, 1000);
            for (int b = 0; b < 5; b++) {
                writer.submit(
                        LoaderTest.record(b * 100, b * 100 + 100, 0),
                        lineNumbers(b * 100, b * 100 + 100),
                        List.of(new ImportCheckpoint("job", "m", b * 100 + 101, b * 100 + 100, 0)),
                        List.of());
            }
            writer.finish();
            assertThat(LoaderTest.count(store, "SELECT count(*) FROM fine")).isEqualTo(500);
            assertThat(store.importCheckpoint("job", "m")).contains(new ImportCheckpoint("job", "m", 501, 500, 0));
        }
    }
}
