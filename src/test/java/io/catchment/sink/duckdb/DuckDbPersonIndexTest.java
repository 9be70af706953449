package io.catchment.sink.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.loader.Loader;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code duckdb.person_index}: turned on over a store that has tables, it indexes them; tables created after get theirs
 * with the column; a column widened in an indexed table (which DuckDB refuses while the index exists) is widened and
 * the index built again; the person's rows are found by it.
 */
class DuckDbPersonIndexTest {
    @TempDir
    Path dir;

    private static long count(DuckDbSink s, String sql) {
        return ((Number) s.query(sql, 1, Duration.ofSeconds(10)).rows().get(0).get(0)).longValue();
    }

    private static void await(Loader loader, long end) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (loader.position() < end && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(loader.position()).isEqualTo(end);
    }

    private static byte[] event(String id, String name, String user, String price) {
        return ("{\"id\":\"" + id + "\",\"event\":\"" + name + "\",\"user_id\":\"" + user
                        + "\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"price\":" + price + "}}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static long indexes(DuckDbSink s) {
        return count(s, "SELECT count(*) FROM duckdb_indexes() WHERE index_name LIKE '%__person_key'");
    }

    @Test
    void every_table_with_person_key_is_indexed_through_new_tables_and_widened_columns() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            Loader loader = new Loader(log, store, new Metrics(), 1000, Duration.ofMillis(20), 1000, 1000);
            loader.start();
            log.append(event("a", "Viewed", "u1", "1"));
            await(loader, 1);
            assertThat(indexes(store)).isZero();

            assertThat(store.indexPeople()).containsExactlyInAnyOrder("events", "viewed");
            assertThat(indexes(store)).isEqualTo(2);
            assertThat(store.indexPeople()).as("nothing left to index").isEmpty();

            log.append(event("b", "Ordered", "u1", "2")); // a new table: indexed with its column
            await(loader, 2);
            assertThat(indexes(store)).isEqualTo(3);

            log.append(event("c", "Viewed", "u2", "1.5")); // price BIGINT -> DOUBLE in an indexed table
            await(loader, 3);
            // others' events: DuckDB takes the index only for a small share of a table's rows
            java.io.ByteArrayOutputStream others = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 5000; i++) others.write(event("x" + i, "Viewed", "x" + i, "2"));
            log.append(others.toByteArray());
            await(loader, 4);
            loader.close();
            assertThat(loader.lastError()).isNull();
            assertThat(count(store, "SELECT count(*) FROM viewed WHERE properties_price = 1.5"))
                    .isEqualTo(1);
            assertThat(indexes(store))
                    .as("the widened table's index built again")
                    .isEqualTo(3);
            long key = io.catchment.schema.PersonKey.of("u1");
            assertThat(count(store, "SELECT count(*) FROM events WHERE person_key = " + key))
                    .isEqualTo(2);
            // the plan, on the sink's own connection (the query endpoint runs only SELECT)
            java.lang.reflect.Field f = DuckDbSink.class.getDeclaredField("conn");
            f.setAccessible(true);
            StringBuilder plan = new StringBuilder();
            synchronized (store) {
                try (var st = ((java.sql.Connection) f.get(store)).createStatement();
                        var rs = st.executeQuery("EXPLAIN ANALYZE SELECT * FROM events WHERE person_key = " + key)) {
                    while (rs.next()) plan.append(rs.getString(2));
                }
            }
            assertThat(plan).contains("Index Scan");
        }
    }
}
