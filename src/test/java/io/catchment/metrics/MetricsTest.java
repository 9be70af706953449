package io.catchment.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scrape carries the JVM's and the process's own metrics beside Catchment's (what a Prometheus user expects). */
class MetricsTest {
    @Test
    void the_jvm_and_the_process_are_in_the_scrape() {
        String scrape = new Metrics().scrape();
        assertThat(scrape)
                .contains("jvm_memory_used_bytes{area=\"heap\"")
                .contains("jvm_threads_live_threads")
                .contains("process_cpu_usage")
                .contains("process_uptime_seconds")
                .contains("catchment_events_accepted_total");
    }
}
