package io.catchment.log.local;

import io.catchment.log.DiskFullException;
import io.catchment.log.LogPoisonedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of {@link LocalLog}: the {@code log-writer} thread, group commit, segment rolling, and the two
 * failure rules of LocalLog's class comment (a failed write is cut back and the log stays usable; a failed force
 * poisons it). Records are queued by any thread with {@link #submit}; the one writer thread takes every record queued
 * while the previous force ran, writes them, forces once and completes their futures with their offsets. The end
 * offset moves only after a force, and {@link #awaitPast} waits for it. Owns the active segment's write channel.
 */
final class SegmentWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);

    private record Pending(byte[] payload, CompletableFuture<Long> done) {}

    /** Queued by {@link #stop} so the writer sees {@code closed} now instead of at its next poll. */
    private static final Pending WAKE_UP = new Pending(new byte[0], null);

    private final Path dir;
    private final long segmentBytes;
    private final FileOpener opener;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final AtomicLong totalBytes;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object durable = new Object();
    private final Thread thread = new Thread(this::writeLoop, "log-writer");
    private volatile long endOffset;
    /** Set once a force (or a cut-back) failed; appends are refused with it until the log is reopened. */
    private volatile LogPoisonedException poison;

    private volatile boolean closed;
    private FileChannel writeChannel;
    private Segment active;

    SegmentWriter(
            Path dir,
            long segmentBytes,
            FileOpener opener,
            ConcurrentSkipListMap<Long, Segment> segments,
            AtomicLong totalBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
        this.segments = segments;
        this.totalBytes = totalBytes;
        thread.setDaemon(true);
    }

    /** Continues the newest segment, recovered: {@code ch} is open for writing and positioned at its end. */
    void resume(Segment last, FileChannel ch) {
        writeChannel = ch;
        active = last;
        endOffset = last.end();
    }

    /** Starts the writer thread, once the log is recovered. */
    void start() {
        thread.start();
    }

    Segment active() {
        return active;
    }

    long endOffset() {
        return endOffset;
    }

    LogPoisonedException poison() {
        return poison;
    }

    boolean closed() {
        return closed;
    }

    /** Queues a record; the future completes with its offset once it is durable, or with why it is not. */
    CompletableFuture<Long> submit(byte[] record) {
        Pending p = new Pending(record, new CompletableFuture<>());
        queue.add(p);
        return p.done;
    }

    /** Waits until the end offset passes {@code from}; false when the deadline ({@link System#nanoTime}) passed. */
    boolean awaitPast(long from, long deadline) throws InterruptedException {
        synchronized (durable) {
            while (from >= endOffset && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                durable.wait(left / 1_000_000 + 1);
            }
        }
        return true;
    }

    /** Starts a new segment at {@code base} (header forced, directory forced) and writes there from now on. */
    void openNewSegment(long base) throws IOException {
        Path p = dir.resolve(Segment.fileName(base));
        // CREATE + TRUNCATE: a file left by an earlier failed roll at this offset holds no acknowledged record
        FileChannel ch = opener.open(
                p,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer h = Segment.header(base);
            while (h.hasRemaining()) ch.write(h, h.position());
            force(ch, p, true);
            ch.position(Segment.HEADER_BYTES);
        } catch (IOException e) {
            try (ch) {
                Files.deleteIfExists(p);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        Quarantine.forceDirectory(dir);
        if (writeChannel != null) writeChannel.close();
        writeChannel = ch;
        Segment s = new Segment(p, base, Segment.HEADER_BYTES, 0, opener);
        segments.put(base, s);
        totalBytes.addAndGet(Segment.HEADER_BYTES);
        active = s;
        endOffset = s.end();
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES);
        while (!closed || !queue.isEmpty()) {
            group.clear();
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.add(first);
                queue.drainTo(group, 10_000);
            } catch (InterruptedException e) {
                continue;
            }
            group.removeIf(p -> p == WAKE_UP);
            if (group.isEmpty()) continue;
            writeGroup(group, header);
        }
    }

    private void writeGroup(List<Pending> group, ByteBuffer header) {
        if (poison != null) {
            // appended before the poison was set: the file is not touched again until the log is reopened
            fail(group, new LogPoisonedException(poison.getMessage(), poison));
            return;
        }
        long[] offsets = new long[group.size()];
        long next = endOffset;
        int acknowledged = 0;
        try {
            long pos = active.size;
            for (int i = 0; i < group.size(); i++) {
                byte[] payload = group.get(i).payload;
                if (pos >= segmentBytes && next > active.base) {
                    force(writeChannel, active.path, false);
                    publish(pos, next);
                    // what is written so far is durable: acknowledge it whatever happens to the rest of the group
                    for (; acknowledged < i; acknowledged++)
                        group.get(acknowledged).done.complete(offsets[acknowledged]);
                    openNewSegment(next);
                    pos = active.size;
                }
                header.clear();
                header.putInt(payload.length).putInt(Segment.crc(payload)).flip();
                ByteBuffer body = ByteBuffer.wrap(payload);
                while (header.hasRemaining() || body.hasRemaining())
                    writeChannel.write(new ByteBuffer[] {header, body});
                pos += Segment.RECORD_HEADER_BYTES + payload.length;
                offsets[i] = next++;
            }
            force(writeChannel, active.path, false);
            publish(pos, next);
            for (int i = acknowledged; i < group.size(); i++) group.get(i).done.complete(offsets[i]);
        } catch (IOException | RuntimeException e) {
            IOException io = e instanceof IOException x ? x : new IOException(e);
            rollBack(group.subList(acknowledged, group.size()), io);
        }
    }

    private void publish(long pos, long next) {
        active.size = pos;
        active.records = next - active.base;
        synchronized (durable) {
            endOffset = next;
            durable.notifyAll();
        }
    }

    /**
     * Cuts the active segment back to its last durable byte and fails the group: with {@link DiskFullException} when
     * the disk is full, with the poison when a force failed. A cut-back that fails poisons the log.
     */
    private void rollBack(List<Pending> group, IOException cause) {
        try {
            writeChannel.truncate(active.size);
            writeChannel.position(active.size);
            if (poison == null) force(writeChannel, active.path, true);
            LOG.warn(
                    "Log write failed; {} records not acknowledged, segment {} cut back to {} bytes",
                    group.size(),
                    active.path,
                    active.size,
                    cause);
        } catch (IOException | RuntimeException again) {
            if (poison == null) {
                poison(
                        "cutting segment " + active.path + " back to byte " + active.size + " after a failed write ("
                                + cause + ") failed",
                        again);
            }
        }
        if (poison != null) {
            fail(group, new LogPoisonedException(poison.getMessage(), cause));
        } else if (DiskFullException.isDiskFull(cause)) {
            fail(
                    group,
                    new DiskFullException(
                            "the disk of log " + dir + " is full (" + cause.getMessage() + "): "
                                    + group.size() + " records not stored; segment " + active.path
                                    + " is cut back to its last durable byte "
                                    + active.size + " and the log stays usable; free space and retry",
                            cause));
        } else {
            fail(group, cause);
        }
    }

    private void fail(List<Pending> group, Exception e) {
        long bytes = 0;
        for (Pending p : group) bytes += p.payload.length + Segment.RECORD_HEADER_BYTES;
        totalBytes.addAndGet(-bytes);
        for (Pending p : group) p.done.completeExceptionally(e);
    }

    /** Forces {@code ch}; a failure poisons the log (see LocalLog's class comment) before it is rethrown. */
    private void force(FileChannel ch, Path file, boolean metaData) throws IOException {
        try {
            ch.force(metaData);
        } catch (IOException e) {
            poison("fsync of segment " + file + " failed (" + e.getMessage() + ")", e);
            throw e;
        }
    }

    private void poison(String what, Throwable cause) {
        poison = new LogPoisonedException(
                "log " + dir + " refuses appends: " + what + " at " + Instant.now()
                        + "; the bytes written after the last successful fsync cannot be vouched for (the kernel may have dropped "
                        + "them), and no later fsync would prove them durable. The log must be reopened: restart Catchment; opening "
                        + "re-reads the segment from disk and trims its torn tail. Records acknowledged before the failure are safe.",
                cause);
        LOG.error("Log poisoned: {}; refusing appends until the log is reopened (restart Catchment)", what, cause);
    }

    /** Lets the writer finish what is queued and stop (waits up to 5 s); wakes readers waiting in {@link #awaitPast}. */
    void stop() {
        closed = true;
        queue.add(WAKE_UP);
        synchronized (durable) {
            durable.notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void closeChannel() throws IOException {
        if (writeChannel != null) writeChannel.close();
    }
}
