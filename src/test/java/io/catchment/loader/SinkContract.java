package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterStore;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.schema.PersonKey;
import io.catchment.sink.Dedup;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.QueryException;
import io.catchment.sink.Sink;
import io.catchment.sink.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Sink} must do, run against each implementation (DuckDB, ClickHouse) through the loader's real
 * path: a real local log, the real loader, the real store. Queries are plain SQL both stores answer.
 */
abstract class SinkContract {
    @TempDir
    Path dir;

    Sink sink;
    /** The duplicate check the stores are opened with ({@link #open}, {@link #reopen}). */
    Dedup dedup = Dedup.of(true, 1, 64L << 20);

    private LocalLog log;
    /** The last {@link #load}'s metrics. */
    Metrics metrics;

    /** A fresh, empty store. */
    abstract Sink open(Path dir) throws Exception;

    /** The store {@link #open} opened last, opened again (after a close). */
    abstract Sink reopen(Path dir) throws Exception;

    @AfterEach
    void closeAll() throws Exception {
        if (log != null) log.close();
        if (sink != null) sink.close();
    }

    private Sink sink() throws Exception {
        if (sink == null) sink = open(dir.resolve("store"));
        return sink;
    }

    /** Appends records (each a block of NDJSON canonical events) to a fresh log and loads them all with a loader. */
    private void load(String consumerLog, String... records) throws Exception {
        if (log != null) log.close();
        log = new LocalLog(dir.resolve(consumerLog), 1 << 20, 64 << 20, Duration.ZERO);
        for (String r : records) log.append(r.getBytes(StandardCharsets.UTF_8));
        metrics = new Metrics();
        Loader loader = new Loader(
                log,
                sink(),
                metrics,
                1000,
                Duration.ofMillis(50),
                1000,
                1000,
                new io.catchment.schema.Router(),
                consumerLog);
        loader.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loader.position() < log.endOffset() && System.nanoTime() < deadline) Thread.sleep(20);
        loader.close();
        assertThat(loader.position()).as("loaded: %s", loader.lastError()).isEqualTo(log.endOffset());
    }

    static String track(String id, String event, String time, String props) {
        return "{\"id\":\"" + id + "\",\"type\":\"track\",\"event\":\"" + event + "\",\"user_id\":\"u-" + id
                + "\",\"timestamp\":\"" + time + "\",\"received_at\":\"" + time
                + "\",\"source\":\"test\",\"properties\":"
                + props + "}\n";
    }

    long count(String sql) throws Exception {
        return ((Number) sink().query(sql, 10, Duration.ofSeconds(30))
                        .rows()
                        .get(0)
                        .get(0))
                .longValue();
    }

    List<Object> row(String sql) throws Exception {
        var rows = sink().query(sql, 10, Duration.ofSeconds(30)).rows();
        assertThat(rows).as(sql).hasSize(1);
        return rows.get(0);
    }

    @Test
    void a_table_with_hundreds_of_long_column_names_loads_in_one_write() throws Exception {
        // real product events: 600 columns of 40 characters name a 24 KB INSERT statement
        StringBuilder props = new StringBuilder("{");
        for (int i = 0; i < 600; i++) {
            props.append(i > 0 ? "," : "")
                    .append("\"a_rather_long_property_name_number_")
                    .append(i)
                    .append("\":")
                    .append(i);
        }
        String p = props.append('}').toString();
        load("log", track("w1", "Wide", "2024-05-01T10:00:00Z", p) + track("w2", "Wide", "2024-05-01T10:00:01Z", p));
        assertThat(count("SELECT count(*) FROM wide")).isEqualTo(2);
        assertThat(count("SELECT sum(properties_a_rather_long_property_name_number_599) FROM wide"))
                .isEqualTo(1198);
        assertThat(metrics.batchEvents.count())
                .as("store transactions: one, not the batch taken apart")
                .isEqualTo(1);
        assertThat(sink.pendingDeadLetters()).isZero();
    }

    @Test
    void events_land_in_their_tables_with_their_types() throws Exception {
        load(
                "log",
                track(
                                "a1",
                                "Order Completed",
                                "2024-05-01T10:00:00.250Z",
                                "{\"total\":12,\"price\":9.5,\"paid\":true,\"coupon\":\"SPRING\",\"cart\":{\"items\":3},\"tags\":[\"x\",\"y\"]}")
                        + track(
                                "a2",
                                "Order Completed",
                                "2024-05-01T11:00:00Z",
                                "{\"total\":7,\"note\":\"tab\\there, line\\nbreak \\\\ 'q'\"}")
                        + track("b1", "Signed Up", "2024-05-02T09:00:00Z", "{\"plan\":\"pro\"}"));
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM order_completed")).isEqualTo(2);
        assertThat(row("SELECT properties_total, properties_price, properties_coupon, properties_cart_items, user_id "
                        + "FROM order_completed WHERE id = 'a1'"))
                .containsExactly(12L, 9.5, "SPRING", 3L, "u-a1");
        assertThat(row("SELECT properties_note FROM order_completed WHERE id = 'a2'"))
                .containsExactly("tab\there, line\nbreak \\ 'q'");
        assertThat(sink.catalog()).containsKeys("events", "order_completed", "signed_up");
        assertThat(sink.loadedOffset("log")).isEqualTo(1);
    }

    @Test
    void an_event_is_stored_once_however_often_it_arrives_but_the_same_id_on_another_day_is_another_event()
            throws Exception {
        String a = track("d1", "Click", "2024-05-01T10:00:00Z", "{\"n\":1}")
                + track("d2", "Click", "2024-05-01T10:00:01Z", "{\"n\":2}");
        load("log1", a, a, a + track("d3", "Click", "2024-05-01T10:00:02Z", "{\"n\":3}"));
        // another consumer replays everything (a crash before the offset was stored), plus the same id a day later
        load(
                "log2",
                a + track("d3", "Click", "2024-05-01T10:00:02Z", "{\"n\":3}"),
                track("d1", "Click", "2024-05-02T10:00:00Z", "{\"n\":4}"));
        assertThat(count("SELECT count(*) FROM click")).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM click WHERE id = 'd1'")).isEqualTo(2);
    }

    @Test
    void the_day_of_the_duplicate_rule_is_the_utc_day_to_the_microsecond() throws Exception {
        load(
                "log1",
                track("m1", "Tick", "2024-05-01T00:00:00Z", "{\"n\":1}")
                        + track("m2", "Tick", "2024-05-01T23:59:59.999Z", "{\"n\":2}"));
        // the same ids again: m1 at the last instant of its day (a duplicate), m2 a millisecond later (the next day)
        load(
                "log2",
                track("m1", "Tick", "2024-05-01T23:59:59.999Z", "{\"n\":3}")
                        + track("m2", "Tick", "2024-05-02T00:00:00Z", "{\"n\":4}"));
        assertThat(count("SELECT count(*) FROM tick WHERE id = 'm1'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM tick WHERE id = 'm2'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(3);
    }

    @Test
    void two_ids_with_the_same_hash_are_two_events_and_a_duplicate_is_dropped_after_a_restart() throws Exception {
        // every id hashes to 7 in Java and in the store's SQL: each event may be stored, and only its id decides
        dedup = new Dedup(true, 1, 64L << 20, id -> 7L, (expr, clickhouse) -> "7");
        load("log1", track("h1", "Hit", "2024-05-01T10:00:00Z", "{\"n\":1}"));
        load("log2", track("h2", "Hit", "2024-05-01T11:00:00Z", "{\"n\":2}"));
        sink.close();
        sink = reopen(dir.resolve("store"));
        load(
                "log3",
                track("h1", "Hit", "2024-05-01T12:00:00Z", "{\"n\":3}")
                        + track("h3", "Hit", "2024-05-01T12:00:01Z", "{\"n\":4}"));
        assertThat(count("SELECT count(*) FROM hit")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(3);
        assertThat(count("SELECT sum(properties_n) FROM hit")).isEqualTo(1 + 2 + 4);
    }

    @Test
    void a_duplicate_in_a_later_batch_after_a_restart_is_dropped_with_the_real_hash() throws Exception {
        load("log1", track("r1", "Ring", "2024-05-01T10:00:00Z", "{\"n\":1}"));
        sink.close();
        sink = reopen(dir.resolve("store")); // the id sets are built again from the store
        load(
                "log2",
                track("r1", "Ring", "2024-05-01T18:00:00Z", "{\"n\":2}")
                        + track("r2", "Ring", "2024-05-01T18:00:01Z", "{\"n\":3}"));
        assertThat(count("SELECT count(*) FROM ring")).isEqualTo(2);
        assertThat(count("SELECT sum(properties_n) FROM ring")).isEqualTo(1 + 3);
    }

    @Test
    void with_a_window_of_three_days_the_same_id_up_to_two_days_apart_is_a_duplicate() throws Exception {
        dedup = Dedup.of(true, 3, 64L << 20);
        load(
                "log1",
                track("w1", "Win", "2024-05-03T10:00:00Z", "{\"n\":1}")
                        // the same batch, the next day: a repeat the loader's own same-day rule does not see
                        + track("w1", "Win", "2024-05-04T10:00:00Z", "{\"n\":2}"));
        load(
                "log2",
                track("w1", "Win", "2024-05-01T10:00:00Z", "{\"n\":4}") // two days before: a duplicate
                        + track("w1", "Win", "2024-05-06T10:00:00Z", "{\"n\":8}") // three days after: new
                        + track("w2", "Win", "2024-05-05T10:00:00Z", "{\"n\":16}"));
        assertThat(count("SELECT sum(properties_n) FROM win")).isEqualTo(1 + 8 + 16);
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(3);
    }

    @Test
    void a_value_that_conflicts_with_its_column_is_kept_in_a_typed_sibling_and_numbers_widen() throws Exception {
        load(
                "log",
                track("c1", "Pay", "2024-05-01T10:00:00Z", "{\"amount\":10}"),
                track("c2", "Pay", "2024-05-01T10:00:01Z", "{\"amount\":\"ten\"}"),
                track("c3", "Pay", "2024-05-01T10:00:02Z", "{\"amount\":10.5}"));
        assertThat(row("SELECT properties_amount FROM pay WHERE id = 'c1'").get(0))
                .isEqualTo(10.0);
        assertThat(row("SELECT properties_amount, properties_amount__string FROM pay WHERE id = 'c2'"))
                .containsExactly(null, "ten");
        assertThat(row("SELECT properties_amount FROM pay WHERE id = 'c3'")).containsExactly(10.5);
        assertThat(count("SELECT count(*) FROM _schema_changes WHERE table_name = 'pay' AND change = 'WIDEN_COLUMN'"))
                .isEqualTo(1);
    }

    @Test
    void identify_traits_merge_into_users() throws Exception {
        load(
                "log",
                "{\"id\":\"i1\",\"type\":\"identify\",\"user_id\":\"u9\",\"timestamp\":\"2024-05-01T10:00:00Z\","
                        + "\"received_at\":\"2024-05-01T10:00:00Z\",\"traits\":{\"plan\":\"free\",\"email\":\"a@b.c\"}}\n",
                "{\"id\":\"i2\",\"type\":\"identify\",\"user_id\":\"u9\",\"timestamp\":\"2024-05-03T10:00:00Z\","
                        + "\"received_at\":\"2024-05-03T10:00:00Z\",\"traits\":{\"plan\":\"pro\"}}\n");
        String traits =
                row("SELECT traits FROM users WHERE user_id = 'u9'").get(0).toString();
        assertThat(traits).contains("\"plan\":\"pro\"").contains("\"email\":\"a@b.c\"");
        assertThat(count("SELECT count(*) FROM identifies")).isEqualTo(2);
    }

    @Test
    void dead_letters_are_kept_counted_replayed_and_purged() throws Exception {
        DeadLetter bad = new DeadLetter("x1", "t", "too big", "{\"id\":\"x1\"}", 7);
        DeadLetter other = new DeadLetter("x2", "t", "refused by the store", "{\"id\":\"x2\"}", 8);
        sink().write(WriteBatch.offsetOnly(List.of(bad, other), "dlq-test", 9));
        sink.write(WriteBatch.offsetOnly(List.of(bad), "dlq-test", 10));
        assertThat(sink.pendingDeadLetters()).isEqualTo(2);
        var all = sink.deadLetters(DeadLetterStore.Filter.PENDING, 10);
        assertThat(all).extracting(DeadLetterStore.Entry::eventId).containsExactlyInAnyOrder("x1", "x2");
        var first =
                all.stream().filter(e -> e.eventId().equals("x1")).findFirst().orElseThrow();
        assertThat(first.attempts()).isEqualTo(2);
        assertThat(first.event()).isEqualTo("{\"id\":\"x1\"}");
        assertThat(first.logOffset()).isEqualTo(7);
        assertThat(sink.deadLetters(new DeadLetterStore.Filter(List.of(), "store", null, false), 10))
                .extracting(DeadLetterStore.Entry::eventId)
                .containsExactly("x2");
        assertThat(sink.markReplayed(List.of(first.key()))).isEqualTo(1);
        assertThat(sink.pendingDeadLetters()).isEqualTo(1);
        assertThat(sink.deadLetters(new DeadLetterStore.Filter(List.of(), null, null, true), 10))
                .hasSize(2);
        assertThat(sink.purge(new DeadLetterStore.Filter(List.of(), null, null, true)))
                .isEqualTo(2);
        assertThat(sink.deadLetters(new DeadLetterStore.Filter(List.of(), null, null, true), 10))
                .isEmpty();
        assertThat(sink.loadedOffset("dlq-test")).isEqualTo(10);
        assertThat(sink.loadedOffset("nobody")).isEqualTo(-1);
    }

    @Test
    void import_checkpoints_commit_with_their_rows_and_the_last_one_of_each_member_reads_back() throws Exception {
        ImportWriter writer = new ImportWriter(
                sink(), new io.catchment.schema.Router(), 1000, 1000, new Quarantine(dir.resolve("q")));
        DeadLetter badLine = new DeadLetter(null, null, "a.json line 2: invalid JSON", "{\"raw\":\"{nope\"}", 2);
        byte[] first = (track("j1", "Imported", "2024-05-01T10:00:00Z", "{}")
                        + track("j2", "Imported", "2024-05-01T10:00:01Z", "{}"))
                .getBytes(StandardCharsets.UTF_8);
        writer.submit(
                first, new long[] {1, 3}, List.of(new ImportCheckpoint("job", "a.json", 3, 2, 1)), List.of(badLine));
        // the next batch ends member a.json and reads the first line of b.json
        byte[] second = (track("j3", "Imported", "2024-05-01T10:00:02Z", "{}")
                        + track("j4", "Imported", "2024-05-01T10:00:03Z", "{}"))
                .getBytes(StandardCharsets.UTF_8);
        writer.submit(
                second,
                new long[] {4, 1},
                List.of(new ImportCheckpoint("job", "a.json", 4, 3, 1), new ImportCheckpoint("job", "b.json", 1, 1, 0)),
                List.of());
        writer.finish();
        assertThat(count("SELECT count(*) FROM imported")).isEqualTo(4);
        assertThat(sink.importCheckpoint("job", "a.json")).contains(new ImportCheckpoint("job", "a.json", 4, 3, 1));
        assertThat(sink.importCheckpoint("job", "b.json")).contains(new ImportCheckpoint("job", "b.json", 1, 1, 0));
        assertThat(sink.importCheckpoint("job", "c.json")).isEmpty();
        assertThat(sink.importCheckpoint("another-job", "a.json")).isEmpty();
        assertThat(sink.pendingDeadLetters()).isEqualTo(1);
        // the same checkpoint again (a retried write) changes nothing: checkpoints are totals, not increments
        sink.write(WriteBatch.importsOnly(List.of(), List.of(new ImportCheckpoint("job", "a.json", 4, 3, 1))));
        assertThat(sink.importCheckpoint("job", "a.json")).contains(new ImportCheckpoint("job", "a.json", 4, 3, 1));
    }

    @Test
    void queries_are_read_only_and_bounded() throws Exception {
        load("log", track("q1", "Look", "2024-05-01T10:00:00Z", "{}"));
        for (String sql : List.of(
                "DROP TABLE look",
                "INSERT INTO look (id) VALUES ('x')",
                "CREATE TABLE x (a INT)",
                "SELECT 1; DROP TABLE look",
                "ALTER TABLE look DROP COLUMN id")) {
            assertThatThrownBy(() -> sink.query(sql, 10, Duration.ofSeconds(5)))
                    .as(sql)
                    .isInstanceOf(QueryException.class)
                    .satisfies(e -> assertThat(((QueryException) e).reason())
                            .as(sql)
                            .isEqualTo(QueryException.Reason.FORBIDDEN));
        }
        assertThatThrownBy(() -> sink.query("SELECT * FROM nope", 10, Duration.ofSeconds(5)))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).reason()).isEqualTo(QueryException.Reason.INVALID));
        var r = sink.query("SELECT * FROM events", 10, Duration.ofSeconds(5));
        assertThat(r.rows()).hasSize(1);
        assertThat(r.truncated()).isFalse();
        load(
                "log2",
                track("q2", "Look", "2024-05-01T10:00:01Z", "{}") + track("q3", "Look", "2024-05-01T10:00:02Z", "{}"));
        r = sink.query("SELECT id FROM look ORDER BY id", 2, Duration.ofSeconds(5));
        assertThat(r.rows()).hasSize(2);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void dashboards_are_kept_in_the_store_and_survive_a_restart() throws Exception {
        var d = sink().dashboards();
        assertThat(d.dashboards()).isEmpty();
        d.saveDashboard("growth", "Growth", "{\"tiles\":[{\"kind\":\"sql\",\"request\":{\"sql\":\"SELECT 1\"}}]}");
        d.saveDashboard("a-team", "A team", "{\"tiles\":[]}");
        d.saveDashboard("growth", "Growth \u2728", "{\"tiles\":[{\"kind\":\"trends\",\"request\":{}}]}");
        assertThat(d.dashboards()).extracting(x -> x.id()).containsExactly("a-team", "growth");
        assertThat(d.dashboard("growth").orElseThrow().name()).isEqualTo("Growth \u2728");
        assertThat(d.dashboard("growth").orElseThrow().spec()).contains("trends");
        assertThat(d.deleteDashboard("a-team")).isTrue();
        assertThat(d.deleteDashboard("a-team")).isFalse();
        assertThat(d.dashboard("nope")).isEmpty();
        sink.close();
        sink = reopen(dir.resolve("store"));
        assertThat(sink.dashboards().dashboards()).extracting(x -> x.id()).containsExactly("growth");
        assertThat(sink.dashboards().dashboard("growth").orElseThrow().spec()).contains("trends");
    }

    /** (id, person_key) of every row of {@code table}, and (alias, person, alias_key, person_key) of every link. */
    private java.util.Set<List<Object>> keysAndLinks() throws Exception {
        java.util.Set<List<Object>> out = new java.util.HashSet<>();
        for (String t : List.of("events", "identifies", "aliases", "viewed")) {
            for (List<Object> r : sink().query("SELECT id, person_key FROM " + t, 100, Duration.ofSeconds(30))
                    .rows()) out.add(List.of(t, r.get(0), ((Number) r.get(1)).longValue()));
        }
        for (List<Object> r : sink().query(
                        "SELECT alias, person, alias_key, person_key, id FROM identity_links",
                        100,
                        Duration.ofSeconds(30))
                .rows()) out.add(List.of("link", r.get(0), r.get(1), ((Number) r.get(2)).longValue(), r.get(4)));
        return out;
    }

    @Test
    void rows_carry_person_keys_links_are_kept_and_a_store_from_before_them_is_upgraded_to_the_same() throws Exception {
        String odd = "\\u00e9\\ud83d\\ude00\\r\\n\\\"x"; // as JSON text
        String t = "\"timestamp\":\"2024-05-01T10:00:00Z\",\"received_at\":\"2024-05-01T10:00:00Z\",\"source\":\"t\"";
        load(
                "log",
                "{\"id\":\"k1\",\"type\":\"track\",\"event\":\"Viewed\",\"anonymous_id\":\"a-1\"," + t + "}\n"
                        + "{\"id\":\"k2\",\"type\":\"track\",\"event\":\"Viewed\",\"user_id\":\"u-1\",\"anonymous_id\":\"a-1\","
                        + t + "}\n"
                        + "{\"id\":\"k3\",\"type\":\"alias\",\"user_id\":\"u-1\",\"previous_id\":\"old-1\"," + t + "}\n"
                        + "{\"id\":\"k4\",\"type\":\"identify\",\"user_id\":\"u-1\",\"anonymous_id\":\"u-1\","
                        + "\"properties\":{\"$anon_distinct_id\":\"ph-1\"}," + t + "}\n"
                        + "{\"id\":\"k5\",\"type\":\"track\",\"event\":\"Viewed\",\"user_id\":\"" + odd + "\"," + t
                        + "}\n");
        String oddId = "\u00e9\ud83d\ude00\r\n\"x";
        assertThat(row("SELECT person_key FROM events WHERE id = 'k5'")).containsExactly(PersonKey.of(oddId));
        assertThat(row("SELECT person_key FROM viewed WHERE id = 'k1'")).containsExactly(PersonKey.of("a-1"));
        assertThat(sink().query(
                                "SELECT alias, person, alias_key, person_key FROM identity_links ORDER BY alias",
                                10,
                                Duration.ofSeconds(30))
                        .rows())
                .containsExactly(
                        List.of("a-1", "u-1", PersonKey.of("a-1"), PersonKey.of("u-1")),
                        List.of("old-1", "u-1", PersonKey.of("old-1"), PersonKey.of("u-1")),
                        List.of("ph-1", "u-1", PersonKey.of("ph-1"), PersonKey.of("u-1")));
        // the stores compute the same key from SQL
        boolean ch = sink.dialect() == Sink.Dialect.CLICKHOUSE;
        for (String id : List.of("u-1", "", oddId, "\u0000nul", "x".repeat(5000))) {
            assertThat(sink.query("SELECT " + PersonKey.sql("?", ch), List.of(id), 1, Duration.ofSeconds(30))
                            .rows()
                            .get(0)
                            .get(0))
                    .as(id)
                    .isEqualTo(PersonKey.of(id));
        }
        java.util.Set<List<Object>> written = keysAndLinks();
        // the same store as it was before person keys: no column, no links table
        List<String> back = new ArrayList<>();
        for (String table : List.of("events", "identifies", "aliases", "viewed"))
            back.add("ALTER TABLE " + table + " DROP COLUMN person_key");
        back.add("DROP TABLE identity_links");
        sink.upgrade(back);
        sink.close();
        sink = reopen(dir.resolve("store"));
        assertThat(sink.catalog()).doesNotContainKey("identity_links");
        assertThat(io.catchment.sink.LayoutUpgrade.run(sink, false)).isTrue();
        assertThat(keysAndLinks()).isEqualTo(written);
        assertThat(io.catchment.sink.LayoutUpgrade.run(sink, false)).as("once").isFalse();
    }

    @Test
    void retention_deletes_rows_older_than_their_table_keeps_and_purges_old_dead_letters() throws Exception {
        load(
                "log",
                track("r1", "Viewed", "2024-01-15T10:00:00Z", "{}")
                        + track("r2", "Viewed", "2024-02-10T10:00:00Z", "{}")
                        + track("r3", "Viewed", "2024-03-05T10:00:00Z", "{}")
                        + track("r4", "Clicked", "2024-01-20T10:00:00Z", "{}"));
        sink.write(WriteBatch.offsetOnly(
                List.of(new DeadLetter("x1", "t", "refused", "{\"id\":\"x1\"}", 7)), "retention-dlq", 8));
        // viewed keeps 30 days, every other table 3 years, dead letters a day; "now" is the end of March 2024, so
        // viewed's cutoff is 2024-03-01T00:00Z: January and February go (on ClickHouse as whole monthly partitions)
        var retention = new io.catchment.config.CatchmentConfig.Retention(
                Duration.ofDays(3 * 365),
                java.util.Map.of("viewed", Duration.ofDays(30)),
                Duration.ofDays(1),
                Duration.ofHours(1));
        java.time.Clock end =
                java.time.Clock.fixed(java.time.Instant.parse("2024-03-31T00:00:00Z"), java.time.ZoneOffset.UTC);
        Expiry expiry = new Expiry(sink, retention, new Metrics(), end);
        assertThat(expiry.runOnce()).containsEntry("viewed", 2L).doesNotContainKeys("events", "clicked");
        assertThat(count("SELECT count(*) FROM viewed")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM events")).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM clicked")).isEqualTo(1);
        // the dead letter failed just now: a day from now, it is past its retention
        var deadLettersOnly = new io.catchment.config.CatchmentConfig.Retention(
                Duration.ZERO, java.util.Map.of(), Duration.ofDays(1), Duration.ofHours(1));
        assertThat(new Expiry(
                                sink,
                                deadLettersOnly,
                                new Metrics(),
                                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(2)))
                        .runOnce())
                .containsExactly(java.util.Map.entry("_dead_letters", 1L));
        assertThat(sink.deadLetters(DeadLetterStore.Filter.PENDING, 10)).isEmpty();
        // a cutoff inside a month: DuckDB deletes to the second, ClickHouse keeps the month until it has ended
        long n = sink.expire("viewed", java.time.Instant.parse("2024-03-10T00:00:00Z"));
        assertThat(n).isEqualTo(sink.dialect() == Sink.Dialect.CLICKHOUSE ? 0 : 1);
    }
}
