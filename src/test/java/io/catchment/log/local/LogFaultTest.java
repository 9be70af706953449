package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.log.EventLog;
import io.catchment.log.LogFullException;
import io.catchment.log.LogPoisonedException;
import io.catchment.log.local.Faults.Call;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An I/O error at each write, force and truncate call site of {@link LocalLog}: the append (or commit) fails, no
 * acknowledged record is lost, nothing is half there after a reopen, and a failed fsync poisons the log until then.
 */
@Timeout(60)
class LogFaultTest {
    /** Small, so that the workload rolls a segment every few records. */
    private static final long SEGMENT_BYTES = 200;

    private static final int RECORDS = 24;

    @TempDir
    Path dir;

    private final Faults faults = new Faults();
    private final Map<Long, String> acked = new TreeMap<>();
    private final Set<String> failed = new HashSet<>();

    private LocalLog open(FileOpener opener) throws IOException {
        return new LocalLog(dir, SEGMENT_BYTES, 1 << 30, Duration.ZERO, opener);
    }

    private static byte[] rec(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every record from the start, by offset, checking the offsets are dense. */
    static Map<Long, String> readAll(EventLog log) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        long from = log.startOffset();
        for (List<EventLog.LogRecord> got; !(got = log.read(from, 100, Duration.ZERO)).isEmpty(); ) {
            for (EventLog.LogRecord r : got) {
                assertThat(r.offset()).as("offsets are dense").isEqualTo(from++);
                out.put(r.offset(), new String(r.payload(), StandardCharsets.UTF_8));
            }
        }
        assertThat(from).isEqualTo(log.endOffset());
        return out;
    }

    /** Appends, remembering what was acknowledged and what failed; never a success for a record that failed. */
    private void append(LocalLog log, String payload) {
        try {
            long offset = log.append(rec(payload));
            assertThat(acked.put(offset, payload))
                    .as("offset %d reused", offset)
                    .isNull();
        } catch (IOException | LogFullException e) {
            failed.add(payload);
        }
    }

    /** After reopening: every acknowledged record at its offset; any other record is a whole one whose append failed. */
    private void assertConsistentAfterReopen() throws Exception {
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(log.healthy()).isTrue();
            Map<Long, String> found = readAll(log);
            for (var e : acked.entrySet()) {
                if (e.getKey() >= log.startOffset())
                    assertThat(found.get(e.getKey())).isEqualTo(e.getValue());
            }
            found.forEach((offset, payload) -> {
                if (!acked.containsKey(offset))
                    assertThat(failed)
                            .as("record %d was never appended", offset)
                            .contains(payload);
            });
            assertThat(found.values()).doesNotHaveDuplicates();
            assertThat(log.append(rec("after reopen"))).isEqualTo(log.endOffset() - 1);
        }
    }

    /** Every write and force call the workload makes, counted by a dry run without faults. */
    static Stream<Arguments> everyCall() throws Exception {
        LogFaultTest dry = new LogFaultTest();
        dry.dir = java.nio.file.Files.createTempDirectory("log-fault-dry-run");
        try {
            dry.runWorkload();
        } finally {
            try (Stream<Path> files = java.nio.file.Files.walk(dry.dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        assertThat(dry.faults.count(Call.TRUNCATE))
                .as("no truncate without a failure")
                .isZero();
        return Stream.of(Call.WRITE, Call.FORCE)
                .flatMap(c -> IntStream.rangeClosed(1, dry.faults.count(c)).mapToObj(n -> Arguments.of(c, n)));
    }

    @ParameterizedTest(name = "{0} call {1} fails")
    @MethodSource("everyCall")
    void an_io_error_at_any_write_or_force_fails_that_append_and_loses_no_acknowledged_record(Call call, int n)
            throws Exception {
        faults.failNth(call, n, Faults.EIO);
        runWorkload();
        assertThat(faults.failedCall()).as("the scripted fault fired").isEqualTo(call);
        assertThat(failed).as("one failed call fails at most one append").hasSizeLessThanOrEqualTo(1);
        assertConsistentAfterReopen();
    }

    /**
     * Appends records that roll a segment every few, commits every 8, and reopens when the log is poisoned. Counted
     * from when the log is open: the first segment's creation is the open's business (see the trimming test).
     */
    private void runWorkload() throws Exception {
        faults.pause();
        LocalLog log = open(faults.opener());
        faults.resume();
        long committed = 0;
        for (int i = 0; i < RECORDS; i++) {
            append(log, "r" + i + "-" + "x".repeat(i % 7 * 10));
            if (i % 8 == 7) committed = commitHalf(log, committed);
            if (!log.healthy()) log = reopenAfterPoison(log);
        }
        log.close();
    }

    /** Commits half of what is there; a failed commit keeps the previous offset. */
    private long commitHalf(LocalLog log, long committed) throws IOException {
        long target = Math.max(committed, log.endOffset() / 2);
        try {
            log.commit(target);
            committed = target;
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("keeps the previous offset");
        }
        assertThat(log.committedOffset()).isEqualTo(committed);
        return committed;
    }

    private LocalLog reopenAfterPoison(LocalLog log) throws IOException {
        assertThat(faults.failedFile().toString())
                .as("only a failed segment fsync poisons")
                .endsWith(".log");
        assertThat(faults.failedCall()).isEqualTo(Call.FORCE);
        assertThatThrownBy(() -> log.append(rec("refused"))).isInstanceOf(LogPoisonedException.class);
        log.close();
        faults.pause();
        LocalLog reopened = open(faults.opener());
        faults.resume();
        return reopened;
    }

    @Test
    void a_failed_fsync_poisons_the_log_until_it_is_reopened() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "acked-0");
            append(log, "acked-1");
            faults.failNth(Call.FORCE, 1, Faults.EIO);
            assertThatThrownBy(() -> log.append(rec("unsynced")))
                    .isInstanceOf(LogPoisonedException.class)
                    .hasMessageContaining("fsync of segment")
                    .hasMessageContaining(Faults.EIO)
                    .hasMessageContaining("must be reopened: restart Catchment");
            assertThat(log.healthy()).as("/readyz reports it").isFalse();
            // the disk answers again, but a later fsync proves nothing: still refused
            assertThatThrownBy(() -> log.append(rec("later")))
                    .isInstanceOf(LogPoisonedException.class)
                    .hasMessageContaining("refuses appends");
            assertThat(readAll(log).values())
                    .as("acknowledged records stay readable")
                    .containsExactly("acked-0", "acked-1");
            failed.add("unsynced");
        }
        try (LocalLog log = open(faults.opener())) {
            assertThat(log.healthy()).isTrue();
            assertThat(readAll(log).values()).containsExactly("acked-0", "acked-1");
            assertThat(log.append(rec("acked-2"))).isEqualTo(2);
        }
    }

    @Test
    void a_failed_fsync_whose_cut_back_fails_too_leaves_only_whole_records_after_the_reopen() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "acked-0");
            faults.failNth(Call.FORCE, 1, Faults.EIO);
            append(log, "unsynced-but-written");
            faults.failEvery(Call.TRUNCATE, Faults.EIO);
            assertThat(log.healthy()).isFalse();
        }
        faults.stop();
        // the process dies mid-write of the next record: a torn tail on top
        tearTail(dir.resolve(Segment.fileName(0)));
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(readAll(log).values()).startsWith("acked-0").hasSizeBetween(1, 2);
        }
        assertConsistentAfterReopen();
    }

    @Test
    void a_failed_cut_back_after_a_torn_write_poisons_the_log_and_the_reopen_trims_the_tail() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "acked-0");
            faults.failNth(Call.WRITE, 1, Faults.EIO).failEvery(Call.TRUNCATE, Faults.EIO);
            assertThatThrownBy(() -> log.append(rec("torn-" + "y".repeat(40))))
                    .isInstanceOf(LogPoisonedException.class)
                    .hasMessageContaining("cutting segment")
                    .hasMessageContaining("back to byte 31");
            assertThat(log.healthy()).isFalse();
            faults.stop();
            assertThatThrownBy(() -> log.append(rec("refused"))).isInstanceOf(LogPoisonedException.class);
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(readAll(log).values()).containsExactly("acked-0");
        }
    }

    @Test
    void a_failed_fsync_of_the_cut_back_poisons_the_log() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "acked-0");
            faults.failNth(Call.WRITE, 1, Faults.EIO).failNth(Call.FORCE, 1, Faults.EIO);
            assertThatThrownBy(() -> log.append(rec("torn")))
                    .isInstanceOf(LogPoisonedException.class)
                    .hasMessageContaining("fsync of segment");
            assertThat(log.healthy()).isFalse();
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(readAll(log).values()).containsExactly("acked-0");
        }
    }

    @Test
    void a_failed_record_write_is_cut_back_and_the_log_stays_usable() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "acked-0");
            faults.failNth(Call.WRITE, 1, Faults.EIO);
            assertThatThrownBy(() -> log.append(rec("torn")))
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(LogPoisonedException.class)
                    .hasMessageContaining(Faults.EIO);
            assertThat(log.healthy()).isTrue();
            assertThat(log.append(rec("acked-1"))).isEqualTo(1);
            assertThat(readAll(log).values()).containsExactly("acked-0", "acked-1");
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(readAll(log).values()).containsExactly("acked-0", "acked-1");
        }
    }

    @Test
    void a_failed_segment_header_write_when_rolling_fails_the_append_and_leaves_no_segment_behind() throws Exception {
        try (LocalLog log = open(faults.opener())) {
            append(log, "a".repeat((int) SEGMENT_BYTES)); // past the roll size: the next append rolls
            faults.failNth(Call.WRITE, 1, Faults.EIO);
            assertThatThrownBy(() -> log.append(rec("b"))).isInstanceOf(IOException.class);
            assertThat(faults.failedFile().getFileName().toString()).isEqualTo(Segment.fileName(1));
            assertThat(dir.resolve(Segment.fileName(1))).doesNotExist();
            assertThat(log.healthy()).isTrue();
            assertThat(log.append(rec("c"))).isEqualTo(1);
        }
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            assertThat(readAll(log).values()).containsExactly("a".repeat((int) SEGMENT_BYTES), "c");
        }
    }

    @Test
    void a_failed_commit_keeps_the_previous_committed_offset_and_does_not_poison_the_log() throws Exception {
        long expected = 0;
        for (Call call : List.of(Call.WRITE, Call.FORCE)) {
            try (LocalLog log = open(faults.opener())) {
                for (int i = 0; i < 4; i++) append(log, call + "-" + i);
                expected = log.committedOffset() + 1;
                log.commit(expected);
                long attempt = expected + 2;
                faults.failNth(call, 1, Faults.EIO);
                assertThatThrownBy(() -> log.commit(attempt))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("cannot commit offset " + attempt)
                        .hasMessageContaining("keeps the previous offset");
                assertThat(faults.failedFile().getFileName().toString()).isEqualTo("committed.tmp");
                assertThat(log.committedOffset()).isEqualTo(expected);
                assertThat(log.healthy()).isTrue();
                append(log, call + "-after");
            }
            try (LocalLog log = open(FileOpener.DEFAULT)) {
                assertThat(log.committedOffset()).as("after a failed %s", call).isEqualTo(expected);
            }
        }
        assertThat(failed).isEmpty();
        assertConsistentAfterReopen();
    }

    @Test
    void a_failure_while_trimming_a_torn_tail_on_open_refuses_to_open_and_the_next_open_recovers() throws Exception {
        try (LocalLog log = open(FileOpener.DEFAULT)) {
            append(log, "acked-0");
            append(log, "acked-1");
        }
        for (Call call : List.of(Call.TRUNCATE, Call.FORCE)) {
            tearTail(dir.resolve(Segment.fileName(0)));
            faults.failNth(call, 1, Faults.EIO);
            assertThatThrownBy(() -> open(faults.opener()))
                    .as("a failed %s", call)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(Faults.EIO);
            faults.stop();
            try (LocalLog log = open(faults.opener())) {
                assertThat(readAll(log).values()).containsExactly("acked-0", "acked-1");
            }
        }
    }

    private static void tearTail(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 90, 7, 7, 7, 7, 'p', 'a', 'r', 't'}));
        }
    }
}
