package io.catchment.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuClockTest {
    @Test
    void reads_a_process_cpu_time_from_proc_and_reports_both_processes() {
        long self = ProcessHandle.current().pid();
        CpuClock clock = new CpuClock(self, "ClickHouse"); // this JVM stands in for the server
        double[] start = clock.now();
        long spin = 0;
        for (long deadline = System.nanoTime() + 200_000_000L; System.nanoTime() < deadline; ) spin++;
        double[] end = clock.now();
        assertThat(spin).isPositive();
        assertThat(end[1] - start[1]).as("server CPU-s from /proc").isBetween(0.05, 5.0);
        assertThat(end[0] - start[0]).as("JVM CPU-s").isGreaterThan(0.05);
        assertThat(clock.used(start, end, 0.2)).contains("this JVM", "ClickHouse", "both", "% of");
    }

    @Test
    void without_a_server_only_this_jvm_is_reported() {
        CpuClock clock = new CpuClock(0, "ClickHouse");
        double[] start = clock.now();
        assertThat(start[1]).isNaN();
        assertThat(clock.used(start, clock.now(), 1.0)).contains("this JVM").doesNotContain("ClickHouse");
        assertThat(CpuClock.server(Long.MAX_VALUE)).isNaN();
    }
}
