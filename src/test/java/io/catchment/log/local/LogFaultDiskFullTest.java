package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.event.EventJson;
import io.catchment.log.DiskFullException;
import io.catchment.log.LogFullException;
import io.catchment.log.local.Faults.Call;
import io.catchment.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A full disk: appends fail as "log full" (503 + Retry-After), the log stays usable, and works again once space returns. */
@Timeout(60)
class LogFaultDiskFullTest {
    @TempDir
    Path dir;

    private final Faults faults = new Faults();

    private LocalLog open(FileOpener opener) throws Exception {
        return new LocalLog(dir, 300, 1 << 30, Duration.ZERO, opener);
    }

    private static byte[] rec(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void appends_fail_as_log_full_while_the_disk_is_full_and_succeed_again_once_space_returns() throws Exception {
        List<String> acked = new ArrayList<>();
        try (LocalLog log = open(faults.opener())) {
            for (int i = 0; i < 5; i++) {
                log.append(rec("before-" + i + "-" + "z".repeat(60)));
                acked.add("before-" + i + "-" + "z".repeat(60));
            }
            faults.failEvery(Call.WRITE, Faults.ENOSPC);
            for (int i = 0; i < 8; i++) { // rolls are attempted too: the segment is past its size every few records
                assertThatThrownBy(() -> log.append(rec("while-full-" + "z".repeat(60))))
                        .isInstanceOf(DiskFullException.class)
                        .isInstanceOf(LogFullException.class)
                        .hasMessageContaining("is full")
                        .hasMessageContaining(Faults.ENOSPC)
                        .hasMessageContaining("the log stays usable");
                assertThat(log.healthy())
                        .as("disk full is not an fsync failure")
                        .isTrue();
            }
            faults.stop();
            for (int i = 0; i < 5; i++) {
                String s = "after-" + i + "-" + "z".repeat(60);
                assertThat(log.append(rec(s)))
                        .as("offsets go on where they were")
                        .isEqualTo(acked.size());
                acked.add(s);
            }
            assertThat(LogFaultTest.readAll(log).values()).containsExactlyElementsOf(acked);
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(LogFaultTest.readAll(log).values()).containsExactlyElementsOf(acked);
        }
    }

    @Test
    void a_disk_full_while_rolling_a_segment_leaves_no_half_written_segment() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            log.append(rec("x".repeat(300)));
            faults.failEvery(Call.WRITE, Faults.ENOSPC);
            assertThatThrownBy(() -> log.append(rec("y"))).isInstanceOf(DiskFullException.class);
            assertThat(faults.failedFile().getFileName().toString()).isEqualTo(Segment.fileName(1));
            assertThat(dir.resolve(Segment.fileName(1))).doesNotExist();
            faults.stop();
            assertThat(log.append(rec("y"))).isEqualTo(1);
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(LogFaultTest.readAll(log).values()).containsExactly("x".repeat(300), "y");
        }
    }

    @Test
    void the_collector_answers_503_with_retry_after_never_2xx_for_each_kind_of_log_write_failure() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            Collector collector = new Collector(log, null, new Metrics(), 1 << 20, 1 << 20);
            collector.accept(List.of(event("e0")), System.nanoTime());

            faults.failEvery(Call.WRITE, Faults.ENOSPC);
            assertAnswer(collector, 503, "disk_full", 30);
            faults.stop();
            collector.accept(List.of(event("e1")), System.nanoTime()); // space is back: accepted without a restart

            faults.failNth(Call.WRITE, 1, Faults.EIO);
            assertAnswer(collector, 503, "log_error", 5);

            faults.failNth(Call.FORCE, 1, Faults.EIO);
            assertAnswer(collector, 503, "log_failed", 30);
            assertAnswer(collector, 503, "log_failed", 30); // poisoned: refused although the disk answers again
            assertThat(log.healthy()).isFalse();
            assertThat(log.endOffset()).isEqualTo(2);
        }
    }

    private static void assertAnswer(Collector collector, int status, String reason, int retryAfter) {
        assertThatThrownBy(() -> collector.accept(List.of(event("doomed")), System.nanoTime()))
                .isInstanceOfSatisfying(HttpProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(status);
                    assertThat(p.reason()).isEqualTo(reason);
                    assertThat(p.body()).containsEntry("retry_after", retryAfter); // Server turns it into Retry-After
                });
    }

    private static Event event(String id) {
        return new Event(
                id,
                "track",
                "Clicked",
                "u1",
                null,
                null,
                null,
                Instant.EPOCH,
                null,
                Instant.EPOCH,
                "test",
                EventJson.MAPPER.createObjectNode(),
                null,
                null);
    }
}
