package io.catchment.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClickHouseQueriesTest {
    @Test
    void every_query_request_is_read_only_with_time_memory_and_row_limits() {
        assertThat(ClickHouseQueries.settings("catchment", 10_000, Duration.ofSeconds(30), 512L << 20))
                .containsExactly(
                        java.util.Map.entry("readonly", "1"),
                        java.util.Map.entry("database", "catchment"),
                        java.util.Map.entry("max_execution_time", "30"),
                        java.util.Map.entry("max_memory_usage", "536870912"),
                        java.util.Map.entry("max_result_rows", "10001"),
                        java.util.Map.entry("result_overflow_mode", "break"));
    }

    @Test
    void a_sub_second_timeout_is_sent_as_one_second_and_the_row_cap_leaves_room_to_see_truncation() {
        var s = ClickHouseQueries.settings(
                "db", Integer.MAX_VALUE, Duration.ofMillis(300), ClickHouseQueries.DEFAULT_MAX_MEMORY);
        assertThat(s)
                .containsEntry("max_execution_time", "1")
                .containsEntry("max_result_rows", "2147483648")
                .containsEntry("max_memory_usage", String.valueOf(1L << 30));
    }
}
