package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.log.EventLog;
import io.catchment.log.LogFullException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LocalLogTest {
    @TempDir
    Path dir;

    private LocalLog open() throws IOException {
        return new LocalLog(dir, 4096, 1 << 30, Duration.ZERO);
    }

    private static byte[] rec(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> readAll(EventLog log, long from) throws Exception {
        List<String> out = new ArrayList<>();
        while (true) {
            List<EventLog.LogRecord> got = log.read(from, 100, Duration.ZERO);
            if (got.isEmpty()) return out;
            for (EventLog.LogRecord r : got) {
                assertThat(r.offset()).isEqualTo(from++);
                out.add(new String(r.payload(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void appended_records_read_back_in_order_across_segments_and_reopen() throws Exception {
        List<String> expected = new ArrayList<>();
        try (LocalLog log = open()) {
            for (int i = 0; i < 500; i++) {
                String s = "record-" + i + "-" + "x".repeat(i % 50);
                assertThat(log.append(rec(s))).isEqualTo(i);
                expected.add(s);
            }
            assertThat(readAll(log, 0)).isEqualTo(expected);
            assertThat(readAll(log, 123)).isEqualTo(expected.subList(123, 500));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".log")).count()).isGreaterThan(3);
        }
        try (LocalLog log = open()) {
            assertThat(log.endOffset()).isEqualTo(500);
            assertThat(readAll(log, 0)).isEqualTo(expected);
            assertThat(log.append(rec("after reopen"))).isEqualTo(500);
        }
    }

    @Test
    void concurrent_appenders_share_fsyncs_and_lose_nothing() throws Exception {
        ConcurrentLinkedQueue<Long> offsets = new ConcurrentLinkedQueue<>();
        try (LocalLog log = new LocalLog(dir, 1 << 20, 1 << 30, Duration.ZERO)) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) offsets.add(log.append(rec(thread + ":" + i)));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertThat(offsets).hasSize(3200).doesNotHaveDuplicates();
            assertThat(readAll(log, 0)).hasSize(3200);
        }
    }

    @Test
    void recovery_truncates_a_torn_tail_and_keeps_every_whole_record() throws Exception {
        try (LocalLog log = open()) {
            for (int i = 0; i < 10; i++) log.append(rec("r" + i));
        }
        Path seg = dir.resolve("00000000000000000000.log");
        long whole = Files.size(seg);
        // a torn write: a record header claiming 100 bytes, followed by only 5
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'}));
        }
        try (LocalLog log = open()) {
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(Files.size(seg)).isEqualTo(whole);
            assertThat(readAll(log, 0)).hasSize(10).endsWith("r9");
            assertThat(log.append(rec("next"))).isEqualTo(10);
        }
    }

    @Test
    void recovery_truncates_at_a_checksum_mismatch_in_the_tail() throws Exception {
        try (LocalLog log = open()) {
            for (int i = 0; i < 5; i++) log.append(rec("payload-" + i));
        }
        Path seg = dir.resolve("00000000000000000000.log");
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(f.length() - 2); // inside the last record's payload
            f.write('X');
        }
        try (LocalLog log = open()) {
            assertThat(readAll(log, 0)).containsExactly("payload-0", "payload-1", "payload-2", "payload-3");
        }
    }

    /** Checked-in segments: three whole records, then a torn fourth (fixture torn-tail) or a bit flip in the third. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"torn-tail, 3", "corrupt-tail, 2"})
    void checked_in_damaged_segments_recover_to_their_whole_records(String fixture, int whole) throws Exception {
        Path seg = dir.resolve("00000000000000000000.log");
        try (var in = getClass().getResourceAsStream("/log/" + fixture + "/00000000000000000000.log")) {
            Files.copy(in, seg);
        }
        try (LocalLog log = open()) {
            List<String> records = readAll(log, 0);
            assertThat(records).hasSize(whole);
            for (int i = 0; i < whole; i++) assertThat(records.get(i)).contains("\"id\":\"e" + i + "\"");
            assertThat(log.append(rec("after recovery"))).isEqualTo(whole);
        }
    }

    @Test
    void a_segment_torn_inside_its_header_is_rewritten_empty() throws Exception {
        Files.write(dir.resolve("00000000000000000000.log"), new byte[] {'C', 'A', 'T'});
        try (LocalLog log = open()) {
            assertThat(log.endOffset()).isZero();
            assertThat(log.append(rec("first"))).isZero();
            assertThat(readAll(log, 0)).containsExactly("first");
        }
    }

    @Test
    void a_failed_write_is_not_acknowledged_and_the_log_stays_usable_and_consistent() throws Exception {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        FileOpener faulty = (p, opts) -> new FaultyChannel(FileChannel.open(p, opts), budget);
        try (LocalLog log = new LocalLog(dir, 1 << 20, 1 << 30, Duration.ZERO, faulty)) {
            log.append(rec("good-0"));
            log.append(rec("good-1"));
            budget.set(6); // the next write tears after 6 bytes
            assertThatThrownBy(() -> log.append(rec("doomed-record")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("injected");
            budget.set(Long.MAX_VALUE);
            assertThat(log.healthy()).isTrue();
            assertThat(log.append(rec("good-2"))).isEqualTo(2);
            assertThat(readAll(log, 0)).containsExactly("good-0", "good-1", "good-2");
        }
        try (LocalLog log = open()) {
            assertThat(readAll(log, 0)).containsExactly("good-0", "good-1", "good-2");
        }
    }

    @Test
    void a_second_process_cannot_open_the_same_log_directory() throws Exception {
        try (LocalLog log = open()) {
            log.append(rec("mine"));
            assertThatThrownBy(this::open).hasMessageContaining("in use by another Catchment process");
            assertThat(log.append(rec("still mine"))).isEqualTo(1);
        }
    }

    @Test
    void at_the_quota_loaded_segments_are_freed_before_appends_are_refused() throws Exception {
        try (LocalLog log = new LocalLog(dir, 4096, 20_000, Duration.ZERO)) {
            byte[] rec = new byte[1000];
            int n = 0;
            while (true) {
                try {
                    log.append(rec);
                    n++;
                } catch (LogFullException e) {
                    break;
                }
            }
            log.commit(n); // everything loaded; no append since
            assertThat(log.append(rec)).isEqualTo(n);
        }
    }

    @Test
    void a_roll_that_failed_once_does_not_block_later_rolls() throws Exception {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        FileOpener faulty = (p, opts) -> new FaultyChannel(FileChannel.open(p, opts), budget);
        try (LocalLog log = new LocalLog(dir, 4096, 1 << 30, Duration.ZERO, faulty)) {
            byte[] big = new byte[5000];
            log.append(big); // the segment is now past its roll size
            budget.set(5000 + 8); // the next record fits, the new segment's header does not
            assertThatThrownBy(() -> log.append(big)).isInstanceOf(IOException.class);
            budget.set(Long.MAX_VALUE);
            long next = log.append(big);
            assertThat(readAll(log, 0)).hasSize((int) next + 1);
        }
    }

    @Test
    void appends_past_the_quota_fail_with_log_full() throws Exception {
        try (LocalLog log = new LocalLog(dir, 1 << 20, 70_000, Duration.ZERO)) {
            byte[] big = new byte[10_000];
            java.util.Arrays.fill(big, (byte) 'a');
            for (int i = 0; i < 6; i++) log.append(big);
            assertThatThrownBy(() -> log.append(big))
                    .isInstanceOf(LogFullException.class)
                    .hasMessageContaining("quota");
        }
    }

    @Test
    void committed_segments_are_deleted_and_reading_resumes_after_them() throws Exception {
        try (LocalLog log = open()) {
            for (int i = 0; i < 300; i++) log.append(rec("r" + i + "x".repeat(40)));
            long before;
            try (Stream<Path> files = Files.list(dir)) {
                before = files.filter(p -> p.toString().endsWith(".log")).count();
            }
            log.commit(250);
            long after;
            try (Stream<Path> files = Files.list(dir)) {
                after = files.filter(p -> p.toString().endsWith(".log")).count();
            }
            assertThat(after).isLessThan(before);
            assertThat(log.startOffset()).isGreaterThan(0).isLessThanOrEqualTo(250);
            assertThat(readAll(log, 250)).hasSize(50);
        }
        try (LocalLog log = open()) {
            assertThat(log.committedOffset()).isEqualTo(250);
            assertThat(readAll(log, 250)).hasSize(50);
        }
    }

    @Test
    void a_reader_waiting_for_data_wakes_on_append() throws Exception {
        try (LocalLog log = open()) {
            Thread reader = Thread.currentThread();
            Thread t = new Thread(() -> {
                try {
                    // append once the reader is waiting in read() (the only timed wait this thread does)
                    while (reader.getState() != Thread.State.TIMED_WAITING) Thread.sleep(1);
                    log.append(rec("late"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            long start = System.nanoTime();
            List<EventLog.LogRecord> got = log.read(0, 10, Duration.ofSeconds(10));
            assertThat(got).hasSize(1);
            assertThat(System.nanoTime() - start)
                    .isLessThan(Duration.ofSeconds(5).toNanos());
            t.join();
        }
    }
}
