package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.log.DiskFullException;
import io.catchment.log.EventLog;
import io.catchment.log.LogFullException;
import io.catchment.log.LogPoisonedException;
import io.catchment.log.local.Faults.Call;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random sequences of appends, reads, commits, injected faults, crashes and reopens against a model: the list of
 * records the log must hold (index = offset) and the committed offset. A crash is the process dying: the log is
 * dropped without a word to the writer beyond close (LocalLog buffers nothing that is acknowledged), and the test may
 * leave what an in-flight write would have left: whole records whose ack never reached a client, then a torn record,
 * or a new segment torn inside its header.
 *
 * <p>Invariants after every step: the log ends at the model's size; every acknowledged record reads back identical at
 * its offset; offsets are dense and never reused; the committed offset never goes backwards and never passes the end.
 * After a crash exactly the in-flight whole records appear, after the last acknowledged one and in order; torn bytes
 * never do. A failed append leaves nothing. Run one sequence again with {@code -Dlog.model.seed=N}.
 */
@Timeout(120)
class LogModelTest {
    private static final int SEQUENCES = Integer.getInteger("log.model.sequences", 200);

    @TempDir
    Path root;

    @Test
    void random_sequences_of_appends_reads_commits_faults_and_crashes_keep_every_acknowledged_record()
            throws Exception {
        Long only = Long.getLong("log.model.seed");
        long base = only != null ? only : new Random().nextLong();
        for (int i = 0; i < (only != null ? 1 : SEQUENCES); i++) {
            long seed = base + i;
            Sequence s = new Sequence(root.resolve("seq-" + i), new Random(seed));
            try {
                s.run();
            } catch (Throwable e) {
                throw new AssertionError(
                        "sequence failed; rerun it with -Dlog.model.seed=" + seed + "\nsteps:\n"
                                + String.join("\n", s.steps),
                        e);
            }
        }
    }

    /** One random sequence on its own log directory. */
    private static final class Sequence {
        final Path dir;
        final Random rnd;
        final Faults faults = new Faults();
        final List<String> model = new ArrayList<>();
        final List<String> steps = new ArrayList<>();
        long committed;
        LocalLog log;

        Sequence(Path dir, Random rnd) {
            this.dir = dir;
            this.rnd = rnd;
        }

        LocalLog open() throws IOException {
            return new LocalLog(dir, 64 + rnd.nextInt(400), 1 << 30, Duration.ZERO, faults.opener());
        }

        void run() throws Exception {
            log = open();
            int ops = 10 + rnd.nextInt(30);
            try {
                for (int i = 0; i < ops; i++) {
                    step(rnd.nextInt(100));
                    check();
                }
                crash(false);
                check();
                assertThat(read(log.startOffset(), Integer.MAX_VALUE))
                        .containsExactlyElementsOf(expected(log.startOffset()));
            } finally {
                log.close();
            }
        }

        void step(int dice) throws Exception {
            if (dice < 45) {
                append();
            } else if (dice < 65) {
                long from = log.startOffset() + (long) rnd.nextInt((int) (log.endOffset() - log.startOffset() + 1));
                int max = 1 + rnd.nextInt(10);
                steps.add("read " + from + " max " + max);
                List<String> expected = expected(from);
                assertThat(read(from, max))
                        .containsExactlyElementsOf(expected.subList(0, Math.min(max, expected.size())));
            } else if (dice < 75) {
                long target = committed + rnd.nextInt((int) (model.size() - committed + 1));
                steps.add("commit " + target);
                log.commit(target);
                committed = Math.max(committed, target);
            } else if (dice < 85) {
                faultyAppend();
            } else {
                crash(rnd.nextBoolean());
            }
        }

        void append() throws IOException {
            String payload = payload();
            steps.add("append " + payload.length() + " bytes");
            assertThat(log.append(payload.getBytes(StandardCharsets.UTF_8)))
                    .as("offsets are dense")
                    .isEqualTo(model.size());
            model.add(payload);
        }

        /** A write fault (the log stays usable) or an fsync fault (poisoned until the reopen that follows). */
        void faultyAppend() throws Exception {
            Call call = rnd.nextBoolean() ? Call.WRITE : Call.FORCE;
            String error = rnd.nextBoolean() ? Faults.EIO : Faults.ENOSPC;
            steps.add("append with a failing " + call + " (" + error + ")");
            faults.failNth(call, 1, error);
            try {
                log.append(payload().getBytes(StandardCharsets.UTF_8));
                throw new AssertionError("an append whose " + call + " failed was acknowledged");
            } catch (IOException | LogFullException e) {
                boolean diskFull = call == Call.WRITE && error.equals(Faults.ENOSPC);
                assertThat(e instanceof DiskFullException)
                        .as("disk full: %s", e)
                        .isEqualTo(diskFull);
                assertThat(e instanceof LogPoisonedException)
                        .as("poisoned: %s", e)
                        .isEqualTo(call == Call.FORCE);
            }
            faults.stop();
            assertThat(log.healthy()).isEqualTo(call == Call.WRITE);
            if (call == Call.FORCE) crash(false);
        }

        /** The process dies; an in-flight write may leave whole records that were never acknowledged and a torn one. */
        void crash(boolean inFlight) throws Exception {
            log.close();
            List<String> whole = new ArrayList<>();
            if (inFlight) {
                Path newest = dir.resolve(Segment.fileName(
                        Segment.bases(dir).get(Segment.bases(dir).size() - 1)));
                Path next = dir.resolve(Segment.fileName(model.size()));
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) whole.add(payload());
                if (n == 0 && rnd.nextBoolean() && !Files.exists(next)) {
                    Files.write(
                            next,
                            java.util.Arrays.copyOf(Segment.MAGIC, 1 + rnd.nextInt(15))); // a roll torn in its header
                } else {
                    writeFrames(newest, whole, rnd.nextBoolean());
                }
            }
            steps.add("crash, " + whole.size() + " whole records in flight; reopen");
            log = open();
            assertThat(log.healthy()).isTrue();
            assertThat(log.committedOffset()).as("committed survives the crash").isEqualTo(committed);
            assertThat(read(model.size(), Integer.MAX_VALUE))
                    .as("exactly the whole in-flight records appear")
                    .containsExactlyElementsOf(whole);
            model.addAll(whole); // they hold offsets now: never to be reused
        }

        void check() {
            assertThat(log.endOffset()).isEqualTo(model.size());
            assertThat(log.committedOffset()).isEqualTo(committed).isLessThanOrEqualTo(log.endOffset());
            assertThat(log.startOffset())
                    .as("only committed segments are deleted")
                    .isLessThanOrEqualTo(committed);
        }

        List<String> expected(long from) {
            return model.subList((int) from, model.size());
        }

        List<String> read(long from, int max) throws Exception {
            List<String> out = new ArrayList<>();
            for (long at = from; out.size() < max; ) {
                List<EventLog.LogRecord> got = log.read(at, Math.min(100, max - out.size()), Duration.ZERO);
                if (got.isEmpty()) break;
                for (EventLog.LogRecord r : got) {
                    assertThat(r.offset()).isEqualTo(at++);
                    out.add(new String(r.payload(), StandardCharsets.UTF_8));
                }
            }
            return out;
        }

        String payload() {
            StringBuilder b = new StringBuilder("{\"n\":" + rnd.nextInt(1_000_000) + ",\"s\":\"");
            for (int i = rnd.nextInt(120); i > 0; i--) b.append((char) ('a' + rnd.nextInt(26)));
            return b.append("\"}").toString();
        }

        /** Appends records in the segment format, then optionally a record cut short. */
        static void writeFrames(Path segment, List<String> records, boolean torn) throws IOException {
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                for (String r : records) ch.write(frame(r.getBytes(StandardCharsets.UTF_8)));
                if (torn) {
                    ByteBuffer f = frame("never acknowledged, torn".getBytes(StandardCharsets.UTF_8));
                    f.limit(1 + new Random(records.size()).nextInt(f.limit() - 1));
                    ch.write(f);
                }
            }
        }

        static ByteBuffer frame(byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES + payload.length);
            b.putInt(payload.length).putInt(Segment.crc(payload)).put(payload).flip();
            return b;
        }
    }
}
