package io.catchment.sink.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.QueryException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the guard refuses and what the engine refuses behind it, on a real store in a temp dir. */
@Timeout(60)
class DuckDbQueryGuardTest {
    @TempDir
    Path dir;

    DuckDbSink sink;

    @BeforeEach
    void open() throws Exception {
        sink = new DuckDbSink(dir, "256MB", "16MB");
        List<SchemaChange> changes = new ArrayList<>();
        TableSchema schema = sink.catalog().computeIfAbsent("t", n -> TableSchema.create(n, "e", changes));
        TableBatch b = new TableBatch("t", sink::stage);
        b.set(b.column(schema.resolve(new Field("id", ColumnType.VARCHAR, "1"), "e", changes)), "1");
        b.endRow(schema.columns());
        b.finish(schema.columns());
        sink.write(new WriteBatch(changes, List.of(b), null, List.of(), "test", 1));
    }

    @AfterEach
    void close() {
        sink.close();
    }

    private QueryException refusal(String sql) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> sink.query(sql, 10, Duration.ofSeconds(5)));
        assertThat(t).as(sql).isInstanceOf(QueryException.class);
        return (QueryException) t;
    }

    private long rowsOfT() {
        return (Long) sink.query("SELECT count(*) FROM t", 10, Duration.ofSeconds(5))
                .rows()
                .get(0)
                .get(0);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
                "WITH x AS (INSERT INTO t (id) VALUES ('2') RETURNING *) SELECT * FROM x",
                "WITH x AS (UPDATE t SET id = '3' RETURNING *) SELECT * FROM x",
                "SELECT * FROM (WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x)"
            })
    void data_modifying_statements_inside_with_are_refused(String sql) {
        QueryException e = refusal(sql);
        assertThat(e.reason()).isEqualTo(QueryException.Reason.FORBIDDEN);
        assertThat(e.getMessage()).contains("data-modifying statements are not allowed in WITH");
        assertThat(rowsOfT()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT current_setting('temp_directory')",
                "SELECT CURRENT_SETTING('allowed_directories')",
                "SELECT getenv('HOME')",
                "SELECT 1 WHERE current_setting('threads') IS NOT NULL"
            })
    void functions_that_read_the_configuration_are_refused_by_name(String sql) {
        QueryException e = refusal(sql);
        assertThat(e.reason()).isEqualTo(QueryException.Reason.FORBIDDEN);
        assertThat(e.getMessage()).containsIgnoringCase(sql.replaceAll(".*?(\\w+)\\('.*", "$1") + "()");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "duckdb_settings()",
                "duckdb_secrets()",
                "duckdb_extensions()",
                "duckdb_temporary_files()",
                "pragma_database_list()",
                "pragma_metadata_info()",
                "query('SELECT 1')",
                "duckdb_logs_parsed('x')"
            })
    void table_functions_off_the_allow_list_are_refused_by_name(String fn) {
        QueryException e = refusal("SELECT * FROM " + fn);
        assertThat(e.reason()).isEqualTo(QueryException.Reason.FORBIDDEN);
        assertThat(e.getMessage()).contains("table function " + fn.substring(0, fn.indexOf('(')) + "()");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "pg_settings",
                "system.main.pg_settings",
                "duckdb_databases",
                "pragma_database_list",
                "duckdb_logs"
            })
    void system_views_that_show_settings_or_paths_are_refused(String view) {
        QueryException e = refusal("SELECT * FROM " + view);
        assertThat(e.reason()).isEqualTo(QueryException.Reason.FORBIDDEN);
        assertThat(e.getMessage()).contains("system view " + view.substring(view.lastIndexOf('.') + 1));
    }

    @Test
    void catalog_functions_and_plain_selects_still_run() {
        for (String sql : List.of(
                "SELECT count(*) FROM duckdb_tables()",
                "SELECT * FROM pragma_table_info('t')",
                "SELECT table_name FROM information_schema.tables",
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL " + "SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
                "SELECT 1 UNION SELECT (SELECT 2)",
                "DESCRIBE t")) {
            assertThat(sink.query(sql, 10, Duration.ofSeconds(5)).rows())
                    .as(sql)
                    .isNotEmpty();
        }
    }

    /** Runs one statement on a fresh query connection, in the read-only transaction the query path opens. */
    private void inReadOnlyTransaction(String sql) throws SQLException {
        try (Connection c = sink.queryConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN TRANSACTION READ ONLY");
            }
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DELETE FROM t",
                "INSERT INTO t (id) VALUES ('x')",
                "UPDATE t SET id = 'y'",
                "DROP TABLE t",
                "CREATE TABLE u (x INT)",
                "ALTER TABLE t ADD COLUMN z INT",
                "TRUNCATE t",
                "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"
            })
    void a_write_that_gets_past_the_guard_is_refused_by_the_read_only_transaction(String sql) {
        // the engine's line alone: the same transaction the query path opens, without the guard in front
        assertThatThrownBy(() -> inReadOnlyTransaction(sql))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("read-only");
        assertThat(rowsOfT()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SET enable_external_access = true",
                "SET lock_configuration = false",
                "SET memory_limit = '100GB'",
                "SET autoload_known_extensions = true",
                "SET allow_community_extensions = true"
            })
    void the_query_connection_cannot_change_settings(String sql) {
        assertThatThrownBy(() -> inReadOnlyTransaction(sql))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("locked");
    }

    @Test
    void the_query_connection_cannot_reach_files() {
        Path outside = Path.of(System.getProperty("java.io.tmpdir")).resolve("catchment-guard-test.csv");
        assertThatThrownBy(() -> inReadOnlyTransaction("COPY (SELECT 1) TO '" + outside + "'"))
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> inReadOnlyTransaction("SELECT * FROM read_text('/etc/hostname')"))
                .hasMessageContaining("Permission");
        assertThatThrownBy(() -> inReadOnlyTransaction("ATTACH '" + dir.resolve("other.duckdb") + "'"))
                .isInstanceOf(SQLException.class);
        assertThat(outside).doesNotExist();
        assertThat(dir.resolve("other.duckdb")).doesNotExist();
    }

    @Test
    void refusals_name_what_was_refused_and_leave_the_store_as_it_was() {
        assertThat(refusal("DELETE FROM t").getMessage()).contains("only read-only SELECT");
        assertThat(refusal("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x")
                        .getMessage())
                .endsWith("(found DELETE)");
        assertThat(sink.query("SELECT id FROM t", 10, Duration.ofSeconds(5)).rows())
                .containsExactly(List.of("1"));
    }
}
