package io.catchment.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.Backends;
import io.catchment.sink.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's worker threads: one per core in the server unless set, one while an import writes straight into it. */
class DuckDbThreadsTest {
    @TempDir
    Path dir;

    @Test
    void the_import_store_runs_duckdb_on_one_thread_and_the_server_store_on_one_per_core() throws Exception {
        CatchmentConfig c = new ConfigLoader(Map.of()).load(null, Map.of("data_dir", dir.toString()));
        assertThat(c.duckdb().threads()).isZero();
        assertThat(c.duckdb().importThreads()).isEqualTo(1);
        try (Sink s = Backends.importStore(c)) {
            assertThat(threads(s)).isEqualTo(1);
        }
        try (Sink s = Backends.store(c, c.duckdb().memoryLimit())) {
            assertThat(threads(s)).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
        c = new ConfigLoader(Map.of("CATCHMENT_DUCKDB_THREADS", "3", "CATCHMENT_IMPORT_DUCKDB_THREADS", "auto"))
                .load(null, Map.of("data_dir", dir.toString()));
        try (Sink s = Backends.store(c, c.duckdb().memoryLimit())) {
            assertThat(threads(s)).isEqualTo(3);
        }
        try (Sink s = Backends.importStore(c)) {
            assertThat(threads(s)).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_DUCKDB_THREADS", "0")).load(null, Map.of()))
                .hasMessageContaining("duckdb.threads");
    }

    private static long threads(Sink s) throws Exception {
        // through the server's own read session: the guard keeps current_setting from clients' SQL
        Object v = s.reading(r -> {
            try {
                return r.query("SELECT current_setting('threads')", java.util.List.of(), 1, Duration.ofSeconds(10))
                        .rows()
                        .get(0)
                        .get(0);
            } catch (io.catchment.sink.QueryException e) {
                throw new IllegalStateException(e);
            }
        });
        return Long.parseLong(String.valueOf(v));
    }
}
