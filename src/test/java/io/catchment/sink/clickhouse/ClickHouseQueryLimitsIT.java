package io.catchment.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The per-query limits of {@link ClickHouseQueries} against the real server (Debian's 18.16 here). */
@Timeout(120)
class ClickHouseQueryLimitsIT {
    private static ClickHouseServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = ClickHouseServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Test
    void the_server_accepts_the_limits_and_stops_producing_rows_past_the_cap() throws Exception {
        ClickHouseSink sink = new ClickHouseSink(server.url(), "limits1", "default", "", "", dir, true, 1000);
        try {
            QueryResult r = sink.query("SELECT number FROM system.numbers", 100, Duration.ofSeconds(10));
            assertThat(r.rows()).hasSize(100);
            assertThat(r.truncated()).isTrue();
            assertThat(sink.query("SELECT 1", 100, Duration.ofSeconds(10)).truncated())
                    .isFalse();
        } finally {
            sink.close();
        }
    }

    @Test
    void a_query_over_its_memory_limit_fails_with_the_limit_named() throws Exception {
        ClickHouseSink sink = new ClickHouseSink(
                server.url(), "limits2", "default", "", "", dir, io.catchment.sink.Dedup.of(true), 1000, 16L << 20);
        try {
            assertThatThrownBy(() -> sink.query(
                            "SELECT groupArray(number) FROM (SELECT number FROM system.numbers LIMIT 10000000)",
                            10,
                            Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(QueryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(QueryException.Reason.INVALID);
                        assertThat(e.getMessage()).contains("16777216 bytes", "clickhouse.query_max_memory");
                    });
        } finally {
            sink.close();
        }
    }
}
