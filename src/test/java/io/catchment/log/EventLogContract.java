package io.catchment.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} must do, run against each implementation (LocalLog, one partition of KafkaLog): dense
 * increasing offsets, records read back exactly and in order from any offset, reads that wait and then come back
 * empty, many appenders at once, and records that outlive the process that wrote them.
 */
public abstract class EventLogContract {
    /** A new log; the same {@code name} twice opens the same log again (after {@link EventLog#close}). */
    protected abstract EventLog open(String name) throws Exception;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> payloads(List<EventLog.LogRecord> records) {
        return records.stream()
                .map(r -> new String(r.payload(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    public void offsets_are_dense_and_records_come_back_in_order_from_any_offset() throws Exception {
        try (EventLog log = open("order")) {
            long start = log.endOffset();
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 50; i++) offsets.add(log.append(bytes("{\"n\":" + i + "}\n")));
            for (int i = 0; i < 50; i++) assertThat(offsets.get(i)).isEqualTo(start + i);
            assertThat(log.endOffset()).isEqualTo(start + 50);
            List<EventLog.LogRecord> all = new ArrayList<>();
            for (long from = start; all.size() < 50; ) {
                var got = log.read(from, 7, Duration.ofSeconds(5));
                assertThat(got).isNotEmpty().hasSizeLessThanOrEqualTo(7);
                all.addAll(got);
                from = got.get(got.size() - 1).offset() + 1;
            }
            assertThat(payloads(all).get(0)).isEqualTo("{\"n\":0}\n");
            assertThat(payloads(all).get(49)).isEqualTo("{\"n\":49}\n");
            assertThat(all).extracting(EventLog.LogRecord::offset).containsExactlyElementsOf(offsets);
            assertThat(payloads(log.read(start + 30, 1, Duration.ofSeconds(5)))).containsExactly("{\"n\":30}\n");
        }
    }

    @Test
    public void a_read_past_the_end_waits_then_returns_nothing_and_sees_what_arrives() throws Exception {
        try (EventLog log = open("wait")) {
            long end = log.endOffset();
            long t0 = System.nanoTime();
            assertThat(log.read(end, 10, Duration.ofMillis(300))).isEmpty();
            assertThat(System.nanoTime() - t0)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(250).toNanos());
            log.append(bytes("late\n"));
            assertThat(payloads(log.read(end, 10, Duration.ofSeconds(5)))).containsExactly("late\n");
        }
    }

    @Test
    public void concurrent_appends_are_all_kept() throws Exception {
        try (EventLog log = open("concurrent")) {
            long start = log.endOffset();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Long>> f = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                f.add(pool.submit(() -> log.append(bytes("r" + n + "\n"))));
            }
            List<Long> offsets = new ArrayList<>();
            for (Future<Long> x : f) offsets.add(x.get());
            pool.shutdown();
            assertThat(offsets).doesNotHaveDuplicates().allMatch(o -> o >= start && o < start + 400);
            List<String> got = new ArrayList<>();
            for (long from = start; got.size() < 400; ) {
                var r = log.read(from, 1000, Duration.ofSeconds(5));
                got.addAll(payloads(r));
                from = r.get(r.size() - 1).offset() + 1;
            }
            assertThat(got).hasSize(400).doesNotHaveDuplicates();
        }
    }

    @Test
    public void records_outlive_the_process_that_wrote_them() throws Exception {
        long at;
        try (EventLog log = open("durable")) {
            at = log.append(bytes("kept\n"));
        }
        try (EventLog log = open("durable")) {
            assertThat(log.endOffset()).isGreaterThan(at);
            assertThat(payloads(log.read(at, 1, Duration.ofSeconds(5)))).containsExactly("kept\n");
        }
    }
}
