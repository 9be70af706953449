package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.deadletter.DeadLetterStore;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.schema.TableSchema;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The loader against the real log and the real DuckDB store, with faults injected in front of the store. */
@Timeout(120)
class LoaderTest {
    @TempDir
    Path dir;

    /** The real store, made to refuse any write holding a row for table "poison", or to fail the next N writes. */
    static class FaultyStore implements Sink {
        final DuckDbSink real;
        final AtomicInteger transientFailures = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        /** Refuse every write that records dead letters, as a store whose dead-letter table is broken would. */
        volatile boolean refuseDeadLetters;

        FaultyStore(DuckDbSink real) {
            this.real = real;
        }

        @Override
        public Map<String, Long> write(WriteBatch b) throws SinkException {
            writes.incrementAndGet();
            if (transientFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SinkException("IO Error: injected, store away", null, true);
            }
            if (refuseDeadLetters && !b.deadLetters().isEmpty()) {
                throw new SinkException("Constraint Error: injected refusal of dead letters", null, false);
            }
            for (TableBatch t : b.tables()) {
                if (t.table().equals("poison") && t.rows() > 0) {
                    b.discard();
                    throw new SinkException("Conversion Error: injected refusal of table poison", null, false);
                }
            }
            return real.write(b);
        }

        @Override
        public Map<String, TableSchema> catalog() {
            return real.catalog();
        }

        @Override
        public TableBatch.Encoder stage(String table) throws IOException {
            return real.stage(table);
        }

        @Override
        public void reloadCatalog() throws io.catchment.sink.SinkException {
            real.reloadCatalog();
        }

        @Override
        public void upgrade(List<String> statements) throws io.catchment.sink.SinkException {
            real.upgrade(statements);
        }

        @Override
        public long expire(String table, java.time.Instant before) throws io.catchment.sink.SinkException {
            return real.expire(table, before);
        }

        @Override
        public long loadedOffset(String consumer) {
            return real.loadedOffset(consumer);
        }

        @Override
        public Optional<ImportCheckpoint> importCheckpoint(String jobId, String member) {
            return real.importCheckpoint(jobId, member);
        }

        @Override
        public QueryResult query(String sql, int maxRows, Duration timeout) {
            return real.query(sql, maxRows, timeout);
        }

        @Override
        public QueryResult query(String sql, java.util.List<Object> params, int maxRows, Duration timeout) {
            return real.query(sql, params, maxRows, timeout);
        }

        @Override
        public io.catchment.dashboard.DashboardStore dashboards() {
            return real.dashboards();
        }

        @Override
        public Dialect dialect() {
            return real.dialect();
        }

        @Override
        public boolean healthy() {
            return real.healthy();
        }

        @Override
        public void close() {
            real.close();
        }

        @Override
        public List<Entry> deadLetters(Filter f, int limit) {
            return real.deadLetters(f, limit);
        }

        @Override
        public int markReplayed(List<String> keys) {
            return real.markReplayed(keys);
        }

        @Override
        public int purge(Filter f) {
            return real.purge(f);
        }

        @Override
        public long pendingDeadLetters() {
            return real.pendingDeadLetters();
        }
    }

    /** Events e{from}..e{to-1} of table "fine", one per line; every event {@code i % poisonEvery == 0} goes to "poison". */
    static byte[] record(int from, int to, int poisonEvery) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            String name = poisonEvery > 0 && i % poisonEvery == 0 ? "Poison" : "Fine";
            b.append("{\"id\":\"e")
                    .append(i)
                    .append("\",\"type\":\"track\",\"event\":\"")
                    .append(name)
                    .append("\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"i\":")
                    .append(i)
                    .append("}}\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static long count(Sink s, String sql) {
        return ((Number) s.query(sql, 1, Duration.ofSeconds(10)).rows().get(0).get(0)).longValue();
    }

    private static void awaitLoaded(Loader loader, long end) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loader.position() < end && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(loader.position()).isEqualTo(end);
    }

    @Test
    void events_the_store_refuses_become_dead_letters_and_the_rest_of_the_batch_is_written() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                FaultyStore store = new FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            for (int r = 0; r < 10; r++) log.append(record(r * 100, r * 100 + 100, 97)); // 11 poison events in 1000
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(100), 1000, 1000);
            loader.start();
            awaitLoaded(loader, log.endOffset());
            loader.close();
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(989);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(989);
            var dead = store.deadLetters(DeadLetterStore.Filter.PENDING, 100);
            assertThat(dead).hasSize(11).allSatisfy(d -> {
                assertThat(d.reason()).contains("injected refusal");
                assertThat(d.event()).contains("\"event\":\"Poison\"");
                assertThat(d.eventId()).matches("e\\d+");
            });
            assertThat(log.committedOffset()).isEqualTo(10);
        }
    }

    private static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void two_keys_that_sanitise_alike_never_share_a_column_even_in_different_batches() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000);
            loader.start();
            log.append(
                    line(
                            "{\"id\":\"a\",\"type\":\"identify\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"traits\":{\"Plan\":\"pro\"}}"));
            awaitLoaded(loader, 1);
            log.append(
                    line(
                            "{\"id\":\"b\",\"type\":\"identify\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"traits\":{\"plan\":\"free\"}}"));
            awaitLoaded(loader, 2);
            loader.close();
            var rows = store.query("SELECT id, traits_plan FROM identifies ORDER BY id", 10, Duration.ofSeconds(5))
                    .rows();
            assertThat(rows.get(0)).containsExactly("a", "pro");
            assertThat(rows.get(1).get(1)).isNull();
            var other = store.query(
                            "SELECT column_name, source FROM _columns WHERE table_name = 'identifies' "
                                    + "AND column_name LIKE 'traits_plan%' ORDER BY 1",
                            10, Duration.ofSeconds(5))
                    .rows();
            assertThat(other).hasSize(2);
            assertThat(other.get(0)).containsExactly("traits_plan", "/traits/Plan");
            assertThat(other.get(1).get(0).toString()).matches("traits_plan__[0-9a-f]{6}");
            assertThat(other.get(1).get(1)).isEqualTo("/traits/plan");
            String col = other.get(1).get(0).toString();
            assertThat(store.query("SELECT " + col + " FROM identifies WHERE id = 'b'", 1, Duration.ofSeconds(5))
                            .rows()
                            .get(0))
                    .containsExactly("free");
        }
    }

    @Test
    void fields_past_the_column_cap_land_in_the_extra_json_column() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB", true, 15, DuckDbSink.DEFAULT_BLOCK_SIZE)) {
            StringBuilder props = new StringBuilder();
            for (int i = 0; i < 12; i++)
                props.append(i > 0 ? "," : "")
                        .append("\"p")
                        .append(i)
                        .append("\":")
                        .append(i);
            log.append(
                    line("{\"id\":\"w\",\"type\":\"track\",\"event\":\"Wide\",\"timestamp\":\"2024-05-01T10:00:00Z\","
                            + "\"properties\":{" + props + ",\"nested\":{\"deep\":\"yes\"}}}"));
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 15);
            loader.start();
            awaitLoaded(loader, 1);
            loader.close();
            var cols = store.query(
                            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'wide'",
                            1,
                            Duration.ofSeconds(5))
                    .rows()
                    .get(0)
                    .get(0);
            assertThat(((Number) cols).intValue()).as("15 + _extra + loaded_at").isEqualTo(17);
            var extra = store.query("SELECT _extra::VARCHAR FROM wide", 1, Duration.ofSeconds(5))
                    .rows()
                    .get(0)
                    .get(0)
                    .toString();
            assertThat(extra).contains("\"/properties/p11\":11", "\"/properties/nested/deep\":\"yes\"");
            assertThat(store.query("SELECT _extra->>'$./properties/p11' FROM wide", 1, Duration.ofSeconds(5))
                            .rows())
                    .isNotEmpty();
        }
    }

    /** One JSON literal of each inferred type, and how DuckDB renders it back as text. */
    private static final Map<String, String[]> SAMPLES = new java.util.LinkedHashMap<>();

    static {
        SAMPLES.put("bool", new String[] {"true", "true"});
        SAMPLES.put("bigint", new String[] {"42", "42"});
        SAMPLES.put("double", new String[] {"4.5", "4.5"});
        SAMPLES.put("ts", new String[] {"\"2024-05-01T10:00:00Z\"", "2024-05-01"});
        SAMPLES.put("string", new String[] {"\"hello\"", "hello"});
        SAMPLES.put("json", new String[] {"[1,2]", "[1,2]"});
    }

    @Test
    void every_type_conflict_in_both_orders_keeps_both_values_queryable() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000);
            loader.start();
            for (int round = 0; round < 2; round++) {
                StringBuilder props = new StringBuilder();
                for (String a : SAMPLES.keySet()) {
                    for (String b : SAMPLES.keySet()) {
                        props.append(props.length() == 0 ? "" : ",")
                                .append("\"p_")
                                .append(a)
                                .append('_')
                                .append(b)
                                .append("\":")
                                .append(SAMPLES.get(round == 0 ? a : b)[0]);
                    }
                }
                log.append(line("{\"id\":\"r" + round + "\",\"type\":\"track\",\"event\":\"Matrix\","
                        + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{" + props + "}}"));
                awaitLoaded(loader, round + 1); // separate batches: the second meets stored columns
            }
            loader.close();
            for (String a : SAMPLES.keySet()) {
                for (String b : SAMPLES.keySet()) {
                    String col = "properties_p_" + a + "_" + b;
                    String first = text(store, "SELECT " + col + "::VARCHAR FROM matrix WHERE id = 'r0'");
                    assertThat(first).as("%s then %s: first value", a, b).startsWith(SAMPLES.get(a)[1]);
                    String second = a.equals(b) || storedInPlace(a, b)
                            ? text(store, "SELECT " + col + "::VARCHAR FROM matrix WHERE id = 'r1'")
                            : text(store, "SELECT " + col + "__" + b + "::VARCHAR FROM matrix WHERE id = 'r1'");
                    if (a.equals("json"))
                        second = second.replaceAll("^\"|\"$", ""); // a JSON column holds the JSON string
                    assertThat(second).as("%s then %s: second value", a, b).startsWith(SAMPLES.get(b)[1]);
                }
            }
        }
    }

    /** Where the second value lands in the first value's column (compatible types, or widening). */
    private static boolean storedInPlace(String first, String second) {
        return first.equals("json")
                || (first.equals("double") && second.equals("bigint"))
                || (first.equals("bigint") && second.equals("double"))
                || (first.equals("string") && second.equals("ts"));
    }

    private static String text(Sink s, String sql) {
        Object v = s.query(sql, 1, Duration.ofSeconds(5)).rows().get(0).get(0);
        return v == null ? null : v.toString();
    }

    @Test
    void a_store_that_is_away_is_retried_until_it_is_back_and_nothing_is_lost() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                FaultyStore store = new FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            store.transientFailures.set(4); // about 100+200+400+800 ms of outage
            for (int r = 0; r < 5; r++) log.append(record(r * 100, r * 100 + 100, 0));
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(100), 1000, 1000);
            loader.start();
            awaitLoaded(loader, log.endOffset());
            loader.close();
            assertThat(store.writes.get()).isGreaterThanOrEqualTo(5);
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(500);
            assertThat(store.pendingDeadLetters()).isZero();
        }
    }

    @Test
    void a_batch_stops_at_the_first_whole_record_that_reaches_batch_events() throws Exception {
        List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                FaultyStore store = new FaultyStore(new DuckDbSink(dir, "256MB", "16MB")) {
                    @Override
                    public Map<String, Long> write(WriteBatch b) throws SinkException {
                        sizes.add((int) b.ids().rows());
                        return super.write(b);
                    }
                }) {
            for (int r = 0; r < 10; r++) log.append(record(r * 300, r * 300 + 300, 0)); // ten records of 300 events
            Loader loader = new Loader(log, store, new Metrics(), 1000, Duration.ofMillis(100), 1000, 1000);
            loader.start();
            awaitLoaded(loader, log.endOffset());
            loader.close();
            assertThat(sizes).as("events per store transaction").containsExactly(1200, 1200, 600);
            assertThat(count(store, "SELECT count(DISTINCT id) FROM fine")).isEqualTo(3000);
        }
    }

    @Test
    void an_event_the_json_column_refuses_becomes_a_dead_letter_and_the_next_event_loads() throws Exception {
        // a lone surrogate escape in an array: valid JSON that DuckDB's JSON type refuses (the collector writes U+FFFD
        // instead; a log written by an older version, or by hand, may still hold one)
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            log.append(
                    line(
                            "{\"id\":\"p2\",\"type\":\"track\",\"event\":\"Poison2\",\"user_id\":\"u\","
                                    + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"source\":\"web\",\"properties\":{\"v\":[\"\\udcbf\\udfff\"]}}"));
            log.append(record(0, 10, 0));
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000);
            loader.start();
            awaitLoaded(loader, log.endOffset());
            loader.close();
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(10);
            var dead = store.deadLetters(DeadLetterStore.Filter.PENDING, 10);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).eventId()).isEqualTo("p2");
            assertThat(dead.get(0).table()).contains("poison2");
            assertThat(dead.get(0).event()).contains("\\udcbf\\udfff");
            assertThat(dead.get(0).reason())
                    .contains(
                            "Could not convert",
                            "'JSON'",
                            "properties_v",
                            "event id p2",
                            "\"Poison2\"",
                            "source web",
                            "table events,poison2",
                            "log offset 0");
        }
    }

    @Test
    void dead_letters_the_store_will_not_record_go_to_the_quarantine_file_and_loading_goes_on() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                FaultyStore store = new FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            store.refuseDeadLetters = true;
            log.append(record(0, 100, 50)); // 2 poison events in 100
            log.append(record(100, 200, 0));
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000)
                    .quarantineIn(dir.resolve("quarantine"));
            loader.start();
            awaitLoaded(loader, log.endOffset());
            loader.close();
            assertThat(count(store, "SELECT count(*) FROM fine")).isEqualTo(198);
            List<String> kept =
                    java.nio.file.Files.readAllLines(dir.resolve("quarantine").resolve(Quarantine.FILE));
            assertThat(kept).hasSize(2).allSatisfy(l -> {
                var n = io.catchment.event.EventJson.MAPPER.readTree(l);
                assertThat(n.path("reason").asText()).contains("injected refusal of table poison");
                assertThat(n.path("store_error").asText()).contains("injected refusal of dead letters");
                assertThat(n.path("event").asText()).contains("\"event\":\"Poison\"");
                assertThat(n.path("event_id").asText()).matches("e(0|50)");
            });
        }
    }

    @Test
    void a_loader_that_cannot_commit_says_how_long_it_has_gone_without_progress() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                FaultyStore store = new FaultyStore(new DuckDbSink(dir, "256MB", "16MB"))) {
            Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(50), 1000, 1000);
            loader.start();
            log.append(record(0, 10, 0));
            awaitLoaded(loader, log.endOffset());
            Thread.sleep(300); // the idle time under test: it must not count as time without progress
            assertThat(loader.sinceProgress()).as("idle with nothing to load").isLessThan(Duration.ofMillis(250));
            store.transientFailures.set(6); // 100+200+400+800+1600 ms of failing writes
            log.append(record(10, 20, 0));
            // the failing writes go on for about 3 s: the time without progress grows past 1.2 s meanwhile
            long deadline = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (loader.sinceProgress().toMillis() <= 1200 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(loader.sinceProgress())
                    .as("events wait, nothing commits")
                    .isGreaterThan(Duration.ofMillis(1200));
            assertThat(loader.lastError()).contains("injected, store away");
            awaitLoaded(loader, log.endOffset());
            assertThat(loader.sinceProgress()).isLessThan(Duration.ofSeconds(1));
            loader.close();
        }
    }
}
