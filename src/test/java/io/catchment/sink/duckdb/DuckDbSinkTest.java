package io.catchment.sink.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DuckDbSinkTest {
    @TempDir
    Path dir;

    DuckDbSink sink;

    @BeforeEach
    void open() throws Exception {
        sink = new DuckDbSink(dir, "256MB", "16MB");
    }

    @AfterEach
    void close() {
        sink.close();
    }

    /** Writes rows of fields to table t the way the loader does, and commits offset {@code next}. */
    private void write(long next, List<List<Field>> rows) throws Exception {
        List<SchemaChange> changes = new ArrayList<>();
        sink.write(new WriteBatch(changes, List.of(stage(rows, changes)), null, List.of(), "test", next));
    }

    /** Stages rows for table t as the loader does, extending the catalog (changes collected in {@code changes}). */
    private TableBatch stage(List<List<Field>> rows, List<SchemaChange> changes) throws Exception {
        TableSchema schema = sink.catalog().computeIfAbsent("t", n -> TableSchema.create(n, "e", changes));
        TableBatch b = new TableBatch("t", sink::stage);
        for (List<Field> row : rows) {
            for (Field f : row) b.set(b.column(schema.resolve(f, "e", changes)), f.value());
            b.endRow(schema.columns());
        }
        b.finish(schema.columns());
        return b;
    }

    private List<List<Object>> query(String sql) {
        return sink.query(sql, 1000, Duration.ofSeconds(10)).rows();
    }

    @Test
    void the_offset_can_be_read_while_another_thread_writes() throws Exception {
        // an import asks for a member's checkpoint on its reading thread while its writer thread writes
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) sink.loadedOffset("test");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        try {
            for (int batch = 1; batch <= 20; batch++) {
                List<List<Field>> rows = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    rows.add(List.of(
                            new Field("id", ColumnType.VARCHAR, batch + "-" + i),
                            new Field("n", ColumnType.BIGINT, (long) i)));
                }
                write(batch, rows);
            }
        } finally {
            done.set(true);
            reader.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(sink.loadedOffset("test")).isEqualTo(20);
        assertThat(query("SELECT count(*) FROM t").get(0).get(0)).isEqualTo(40_000L);
    }

    @Test
    void awkward_strings_survive_staging_exactly() throws Exception {
        List<String> values = List.of(
                "plain",
                "",
                "comma, inside",
                "quote \" inside",
                "\"\"",
                "line\nbreak\r\nand cr",
                "\\N",
                "back\\slash",
                "ünïcödé ✓",
                "emoji 😀 pair",
                "tab\there",
                " leading and trailing ",
                "x".repeat(20_000));
        List<List<Field>> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            rows.add(List.of(
                    new Field("id", ColumnType.VARCHAR, "id" + i), new Field("s", ColumnType.VARCHAR, values.get(i))));
        }
        // many rows so DuckDB reads the file in parallel chunks
        for (int i = 0; i < 30_000; i++) {
            rows.add(List.of(
                    new Field("id", ColumnType.VARCHAR, "bulk" + i),
                    new Field("s", ColumnType.VARCHAR, "a,\"b\"\nc" + i)));
        }
        write(1, rows);
        for (int i = 0; i < values.size(); i++) {
            List<List<Object>> r = query("SELECT s, s IS NULL FROM t WHERE id = 'id" + i + "'");
            assertThat(r).hasSize(1);
            assertThat(r.get(0).get(0)).as("value %d", i).isEqualTo(values.get(i));
            assertThat(r.get(0).get(1)).isEqualTo(false);
        }
        assertThat(query("SELECT count(*) FROM t WHERE s LIKE 'a,\"b\"\nc%'")
                        .get(0)
                        .get(0))
                .isEqualTo(30_000L);
    }

    @Test
    void columns_that_appear_mid_batch_load_in_one_part_with_nulls_before_them() throws Exception {
        List<List<Field>> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<Field> row = new ArrayList<>(List.of(
                    new Field("id", ColumnType.VARCHAR, "r" + i),
                    new Field("s", ColumnType.VARCHAR, "line\nbreak, \"quoted\" " + i)));
            for (int k = 0; k <= i / 10; k++) row.add(new Field("f" + k, ColumnType.BIGINT, (long) i * 100 + k));
            rows.add(row);
        }
        List<SchemaChange> changes = new ArrayList<>();
        TableBatch b = stage(rows, changes);
        assertThat(b.parts()).hasSize(1);
        sink.write(new WriteBatch(changes, List.of(b), null, List.of(), "test", 1));
        assertThat(query("SELECT count(*), count(f0), count(f29), sum(f29) FROM t")
                        .get(0))
                .containsExactly(
                        300L,
                        300L,
                        10L,
                        java.math.BigInteger.valueOf(0)
                                .add(java.math.BigInteger.valueOf(java.util.stream.LongStream.range(290, 300)
                                        .map(i -> i * 100 + 29)
                                        .sum())));
        assertThat(query("SELECT f5, f6, s FROM t WHERE id = 'r59'").get(0))
                .containsExactly(5905L, null, "line\nbreak, \"quoted\" 59");
    }

    @Test
    void a_store_file_made_with_another_block_size_opens_with_its_own() throws Exception {
        sink.close();
        java.nio.file.Path other = dir.resolve("old");
        java.nio.file.Files.createDirectories(other);
        try (java.sql.Connection c =
                java.sql.DriverManager.getConnection("jdbc:duckdb:" + other.resolve("catchment.duckdb"))) {
            c.createStatement().execute("CREATE TABLE t (id VARCHAR, x BIGINT)");
            c.createStatement().execute("INSERT INTO t VALUES ('old', 1)");
        }
        sink = new DuckDbSink(other, "256MB", "16MB");
        assertThat(query("SELECT x FROM t WHERE id = 'old'").get(0)).containsExactly(1L);
        write(1, List.of(List.of(new Field("id", ColumnType.VARCHAR, "new"), new Field("x", ColumnType.BIGINT, 2L))));
        assertThat(query("SELECT sum(x) FROM t").get(0).get(0).toString()).isEqualTo("3");
    }

    @Test
    void duckdb_sizes_parse_in_its_own_units() {
        assertThat(DuckDbMemory.sizeBytes("1GB", 0)).isEqualTo(1_000_000_000L);
        assertThat(DuckDbMemory.sizeBytes("512MiB", 0)).isEqualTo(512L << 20);
        assertThat(DuckDbMemory.sizeBytes(" 2.5 gb ", 0)).isEqualTo(2_500_000_000L);
        assertThat(DuckDbMemory.sizeBytes("80%", 7)).isEqualTo(7);
    }

    @Test
    void typed_values_round_trip_and_conflicts_stay_queryable() throws Exception {
        write(
                1,
                List.of(List.of(
                        new Field("id", ColumnType.VARCHAR, "1"),
                        new Field("n", ColumnType.BIGINT, Long.MAX_VALUE),
                        new Field("d", ColumnType.DOUBLE, 1.0e300),
                        new Field("b", ColumnType.BOOLEAN, true),
                        new Field(
                                "ts",
                                ColumnType.TIMESTAMP,
                                new Field.TimeValue(
                                        "2024-05-01T12:00:00+02:00", java.time.Instant.parse("2024-05-01T10:00:00Z"))),
                        new Field("j", ColumnType.JSON, new Field.JsonText("[1,{\"a\":\"x\"}]")))));
        write(
                2,
                List.of(List.of(
                        new Field("id", ColumnType.VARCHAR, "2"),
                        new Field("n", ColumnType.VARCHAR, "not a number"),
                        new Field("j", ColumnType.VARCHAR, "plain text into json"),
                        new Field("b", ColumnType.BIGINT, 7L),
                        new Field("ts", ColumnType.BIGINT, 5L))));
        write(3, List.of(List.of(new Field("id", ColumnType.VARCHAR, "3"), new Field("n", ColumnType.DOUBLE, 2.5))));
        assertThat(query("SELECT n, d, b, ts, j FROM t WHERE id = '1'").get(0))
                .containsExactly(9.223372036854776E18, 1.0e300, true, "2024-05-01T10:00:00Z", "[1,{\"a\":\"x\"}]");
        assertThat(query("SELECT n__string, j, b__bigint, ts__bigint FROM t WHERE id = '2'")
                        .get(0))
                .containsExactly("not a number", "\"plain text into json\"", 7L, 5L);
        assertThat(query("SELECT n FROM t WHERE id = '3'").get(0)).containsExactly(2.5);
        assertThat(query("SELECT count(*) FROM _schema_changes WHERE change = 'WIDEN_COLUMN' AND column_name = 'n'")
                        .get(0)
                        .get(0))
                .isEqualTo(1L);
        assertThat(sink.loadedOffset("test")).isEqualTo(3);
    }

    @Test
    void the_catalog_and_offsets_survive_a_reopen() throws Exception {
        write(5, List.of(List.of(new Field("id", ColumnType.VARCHAR, "1"), new Field("x", ColumnType.BIGINT, 1L))));
        sink.close();
        sink = new DuckDbSink(dir, "256MB", "16MB");
        assertThat(sink.loadedOffset("test")).isEqualTo(5);
        assertThat(sink.loadedOffset("other")).isEqualTo(-1);
        assertThat(sink.catalog().get("t").columns())
                .containsEntry("x", ColumnType.BIGINT)
                .containsKey("loaded_at");
    }

    @Test
    void only_single_read_only_selects_run() throws Exception {
        write(1, List.of(List.of(new Field("id", ColumnType.VARCHAR, "1"))));
        Map<String, QueryException.Reason> refused = Map.ofEntries(
                Map.entry("DROP TABLE t", QueryException.Reason.FORBIDDEN),
                Map.entry("DELETE FROM t", QueryException.Reason.FORBIDDEN),
                Map.entry("INSERT INTO t (id) VALUES ('x')", QueryException.Reason.FORBIDDEN),
                Map.entry("CREATE TABLE x AS SELECT 1", QueryException.Reason.FORBIDDEN),
                Map.entry("COPY t TO '/tmp/out.csv'", QueryException.Reason.FORBIDDEN),
                Map.entry("ATTACH '/tmp/other.db'", QueryException.Reason.FORBIDDEN),
                Map.entry("SET enable_external_access = true", QueryException.Reason.FORBIDDEN),
                Map.entry("INSTALL httpfs", QueryException.Reason.FORBIDDEN),
                Map.entry("PRAGMA version", QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT * FROM read_csv('/etc/passwd')", QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT * FROM read_text('/etc/passwd')", QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT * FROM '/etc/passwd'", QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT * FROM glob('/*')", QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT 1; DROP TABLE t", QueryException.Reason.FORBIDDEN),
                Map.entry(
                        "WITH x AS (SELECT * FROM read_parquet('/x.parquet')) SELECT * FROM x",
                        QueryException.Reason.FORBIDDEN),
                Map.entry("SELECT * FROM nope", QueryException.Reason.INVALID),
                Map.entry("SELEC 1", QueryException.Reason.INVALID));
        refused.forEach((sql, reason) -> assertThatThrownBy(() -> sink.query(sql, 10, Duration.ofSeconds(5)))
                .as(sql)
                .isInstanceOf(QueryException.class)
                .satisfies(
                        e -> assertThat(((QueryException) e).reason()).as(sql).isEqualTo(reason)));
        assertThat(query("SELECT count(*) FROM t")).containsExactly(List.of(1L));
        assertThat(query("WITH x AS (SELECT id FROM t) SELECT * FROM x JOIN range(3) r ON true"))
                .hasSize(3);
    }

    @Test
    void rows_are_capped_and_slow_queries_cancelled() {
        QueryResult r = sink.query("SELECT * FROM range(100)", 10, Duration.ofSeconds(10));
        assertThat(r.rows()).hasSize(10);
        assertThat(r.truncated()).isTrue();
        assertThatThrownBy(() -> sink.query(
                        "SELECT count(*) FROM range(100000000000) a, range(100) b", 10, Duration.ofMillis(500)))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).reason()).isEqualTo(QueryException.Reason.TIMEOUT));
    }

    @Test
    void a_refusal_from_the_csv_reader_names_the_row_it_refused() {
        // the message DuckDB 2.0.0.1 gives for a value its CSV reader cannot convert
        Exception e =
                new java.sql.SQLException("Conversion Error: CSV Error on Line: 3\nOriginal Line: \"ev-\"\"q\"\"\","
                        + "\"x\"\nError when converting column \"n\".");
        assertThat(DuckDbErrors.culprit(new RuntimeException(e))).isEqualTo("ev-\"q\"");
        assertThat(DuckDbErrors.culprit(new java.sql.SQLException("Conversion Error: Malformed JSON")))
                .isNull();
    }
}
