package io.catchment.loader;

import static io.catchment.loader.LoaderTest.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.deadletter.DeadLetterStore;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events the real DuckDB store refuses inside a batch (a lone surrogate escape, which its JSON type cannot take) are
 * set aside in the same write that loads the rest: one write per batch, whatever the number of bad events.
 */
@Timeout(120)
class StoreRejectsTest {
    @TempDir
    Path dir;

    /** Events e{from}..e{to-1} of table "fine"; those with {@code i % badEvery == 0} carry a value DuckDB refuses. */
    static byte[] events(int from, int to, int badEvery) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append("{\"id\":\"e")
                    .append(i)
                    .append("\",\"type\":\"track\",\"event\":\"Fine\",\"user_id\":\"u")
                    .append(i % 7)
                    .append("\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"i\":")
                    .append(i)
                    .append(badEvery > 0 && i % badEvery == 0 ? ",\"v\":[\"\\udcbf\"]" : ",\"v\":[1]")
                    .append("}}\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void load(LocalLog log, Loader loader) throws InterruptedException {
        loader.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loader.position() < log.endOffset() && System.nanoTime() < deadline) Thread.sleep(20);
        loader.close();
        assertThat(loader.position()).isEqualTo(log.endOffset());
    }

    @Test
    void every_refused_event_of_a_batch_becomes_a_dead_letter_in_the_one_write_that_loads_the_rest() throws Exception {
        Metrics metrics = new Metrics();
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                LoaderTest.FaultyStore store = new LoaderTest.FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            for (int r = 0; r < 10; r++) log.append(events(r * 100, r * 100 + 100, 97)); // 11 bad in 1000
            load(log, new Loader(log, store, metrics, 100_000, Duration.ofMillis(200), 1000, 1000));
            assertThat(store.writes.get()).as("store writes").isEqualTo(1);
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(989);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(989);
            assertThat(count(store, "SELECT count(*) FROM events WHERE id IN ('e0', 'e97', 'e970')"))
                    .as("no row of a refused event in events")
                    .isZero();
            var dead = store.deadLetters(DeadLetterStore.Filter.PENDING, 100);
            assertThat(dead).hasSize(11).allSatisfy(d -> {
                assertThat(d.eventId()).matches("e\\d+");
                assertThat(Integer.parseInt(d.eventId().substring(1)) % 97).isZero();
                assertThat(d.table()).isEqualTo("events,fine");
                assertThat(d.event()).contains("\\udcbf");
                assertThat(d.reason())
                        .contains("Could not convert", "properties_v", "event id " + d.eventId(), "log offset");
            });
            assertThat(metrics.deadLettered.count()).isEqualTo(11.0);
            assertThat(log.committedOffset()).isEqualTo(10);
        }
    }

    @Test
    void a_refused_repeat_of_a_stored_event_takes_out_its_new_rows_and_leaves_the_stored_ones() throws Exception {
        // dedup off: the repeat's rows would be written beside the stored ones, so only the row ids tell them apart
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB", false, 1000, DuckDbSink.DEFAULT_BLOCK_SIZE)) {
            log.append(events(0, 10, 0));
            load(log, new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000));
            log.append(events(5, 6, 5)); // e5 again, now refused
            log.append(events(10, 20, 0));
            load(log, new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(200), 1000, 1000));
            assertThat(count(store, "SELECT count(*) FROM events WHERE id = 'e5'"))
                    .isEqualTo(1);
            assertThat(count(store, "SELECT count(*) FROM fine WHERE id = 'e5'"))
                    .isEqualTo(1);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(20);
            assertThat(store.deadLetters(DeadLetterStore.Filter.PENDING, 10))
                    .singleElement()
                    .satisfies(d -> assertThat(d.eventId()).isEqualTo("e5"));
        }
    }

    @Test
    void the_traits_of_a_refused_identify_do_not_reach_users() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            log.append(
                    ("{\"id\":\"i1\",\"type\":\"identify\",\"user_id\":\"u1\",\"timestamp\":\"2024-05-01T10:00:00Z\","
                                    + "\"traits\":{\"plan\":\"pro\",\"tags\":[\"\\udcbf\"]}}\n"
                                    + "{\"id\":\"i2\",\"type\":\"identify\",\"user_id\":\"u2\","
                                    + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"traits\":{\"plan\":\"free\",\"tags\":[\"a\"]}}\n")
                            .getBytes(StandardCharsets.UTF_8));
            load(log, new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000));
            assertThat(count(store, "SELECT count(*) FROM users WHERE user_id = 'u2'"))
                    .isEqualTo(1);
            assertThat(count(store, "SELECT count(*) FROM users WHERE user_id = 'u1'"))
                    .isZero();
            assertThat(store.deadLetters(DeadLetterStore.Filter.PENDING, 10))
                    .singleElement()
                    .satisfies(d -> assertThat(d.eventId()).isEqualTo("i1"));
        }
    }

    @Test
    void an_event_refused_by_events_itself_leaves_no_row_in_its_own_table() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                LoaderTest.FaultyStore store = new LoaderTest.FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                b.append("{\"id\":\"c")
                        .append(i)
                        .append("\",\"type\":\"track\",\"event\":\"Fine\",")
                        .append("\"timestamp\":\"2024-05-01T10:00:00Z\",\"context\":{\"tags\":[")
                        .append(i == 7 ? "\"\\udcbf\"" : "\"t\"")
                        .append("]},\"properties\":{\"i\":")
                        .append(i)
                        .append("}}\n");
            }
            log.append(b.toString().getBytes(StandardCharsets.UTF_8));
            load(log, new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000));
            assertThat(store.writes.get()).as("store writes").isEqualTo(1);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(19);
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(19);
            assertThat(count(store, "SELECT count(*) FROM fine WHERE id = 'c7'"))
                    .isZero();
            assertThat(store.deadLetters(DeadLetterStore.Filter.PENDING, 10))
                    .singleElement()
                    .satisfies(d -> {
                        assertThat(d.eventId()).isEqualTo("c7");
                        assertThat(d.table()).startsWith("events");
                        assertThat(d.reason()).contains("context_tags");
                    });
        }
    }

    @Test
    void the_same_dead_letter_twice_in_one_write_counts_two_attempts() throws Exception {
        try (DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            var d = new io.catchment.deadletter.DeadLetter("x1", "events", "why", "{\"id\":\"x1\"}", 0);
            var other = new io.catchment.deadletter.DeadLetter("x2", "events", "why", "{\"id\":\"x2\"}", 0);
            store.write(io.catchment.sink.WriteBatch.offsetOnly(List.of(d, other, d), "c", 1));
            var dead = store.deadLetters(DeadLetterStore.Filter.PENDING, 10);
            assertThat(dead).hasSize(2);
            assertThat(dead.stream()
                            .filter(e -> e.eventId().equals("x1"))
                            .findFirst()
                            .orElseThrow()
                            .attempts())
                    .isEqualTo(2);
        }
    }
}
