package io.catchment.log.local;

import io.catchment.CatchmentException;
import io.catchment.log.DiskFullException;
import io.catchment.log.EventLog;
import io.catchment.log.LogFullException;
import io.catchment.log.LogPoisonedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link EventLog}: append-only segment files in one directory, a CRC-32C per record, group commit.
 *
 * <p><b>Guarantees.</b> {@link #append} returns only after the record's bytes and every record before it are forced
 * to disk ({@code fdatasync}). Concurrent appenders share one force: a single writer thread takes every record queued
 * while the previous force ran, writes them in one go and forces once. A record is atomic: after a crash it is either
 * wholly readable or gone, and it is never gone once acknowledged. Thread-safe: any number of appenders, one reader at
 * a time.
 *
 * <p><b>Write failures.</b> Two rules, because the two calls fail differently:
 * <ul>
 *   <li><em>A failed write</em> ({@code write} returns an error: an I/O error, or the disk or quota is full) is
 *       recovered in place. A write error is reported by the call that failed, and every byte before the segment's
 *       last durable byte was already forced, so the writer truncates the segment back to that byte, forces the cut,
 *       and fails the records of the group that were not acknowledged yet; the log stays usable. Disk full (ENOSPC,
 *       EDQUOT) is answered with {@link DiskFullException}, a {@link LogFullException} (the collector answers 503
 *       with {@code Retry-After}); appends succeed again once space returns, without a restart.</li>
 *   <li><em>A failed force</em> ({@code fsync}, including ENOSPC from fsync) is not recovered in place: the kernel may
 *       have dropped the dirty pages and marked them clean, so a later successful fsync would prove nothing about the
 *       bytes written before it (PostgreSQL's "fsyncgate"). The log is <em>poisoned</em>: it fails the group, cuts the
 *       segment back as best it can, refuses every further append with {@link LogPoisonedException}, and
 *       {@link #healthy} is false (so {@code /readyz} answers 503) until the log is reopened (restart Catchment);
 *       opening reads the segment from disk and trims whatever torn tail the failure left. A cut-back that fails
 *       poisons the log the same way. Reads of acknowledged records go on while poisoned.</li>
 * </ul>
 * After a reopen the log holds every acknowledged record once, at its offset, and no partial record. The only other
 * records it may hold are whole records whose append failed after they were written, when the cut-back failed too (or
 * the process died before it), and only right after the last acknowledged record: their clients got an error and
 * retry, so their events may arrive twice, never zero times. The {@code committed} file is apart
 * ({@link CommittedFile}): a failure writing it fails the commit, keeps the old offset, and does not poison the log.
 *
 * <p><b>Recovery.</b> Recovery never deletes a byte that may hold an acknowledged record. On open the newest segment
 * is scanned record by record (length, checksum). Only a <em>torn tail</em> is cut: bytes written after the last
 * fsync, which no caller was told are durable. Damage is a torn tail when it is in the newest segment and either
 * <ul>
 *   <li>the file is shorter than its 16-byte header (created, header never synced): it is rewritten empty; or</li>
 *   <li>a record is cut short, has an impossible length or a checksum mismatch, <em>and no valid record (plausible
 *       length, matching CRC-32C) starts at any byte after it</em>: the file is cut at that record.</li>
 * </ul>
 * A bad last record cannot be told from a bit flip in an acknowledged one, so the cut bytes are first copied to
 * {@code quarantine/<segment>-<byte>.torn}; a warning names the segment, the byte and the reason. Everything else
 * refuses to open with a {@link LogCorruptException} (file, byte, expected and found) and leaves the file untouched:
 * a bad magic, a format version above 1 ({@code "CATLOG\0"} then a higher byte), a header base offset that differs
 * from the file name, and a bad record with a valid record after it (mid-segment damage: what follows may be
 * acknowledged). Older segments were forced before the next one was created, so they are never torn: open checks
 * their headers (a short file is corruption there) and {@link #read} reports a bad record inside them the same way.
 * {@code catchment log repair --quarantine} moves the damaged part aside; the offsets it held become a gap that
 * reading skips and that is never reused.
 *
 * <p><b>On-disk format.</b> Directory {@code log/}: segment files named by the offset of their first record, 20
 * digits, {@code 00000000000000000000.log}; {@code committed} holds the loader's committed offset as text.
 * <pre>
 * segment  := header record*
 * header   := magic "CATLOG\0\1" (8 bytes) | base offset (int64, big-endian)
 * record   := length (int32 BE, 1..64 MiB) | crc32c of payload (int32 BE) | payload (length bytes)
 * payload  := the events of one accepted request, canonical JSON, one per line
 * </pre>
 * A segment rolls once it passes {@code log.segment_bytes}. A segment is deleted when all its records are below the
 * committed offset and it was last written more than {@code log.retention} ago. {@code log.max_bytes} bounds the sum of
 * all segment sizes: an append past it fails with {@link LogFullException}.
 */
public final class LocalLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);

    private final Path dir;
    private final long segmentBytes;
    private final long maxBytes;
    private final Duration retention;
    private final FileOpener opener;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Object durable = new Object();
    private final Thread writer;
    private final CommittedFile committedFile;
    private volatile long endOffset;
    private volatile long committed;
    /** Set once a force (or a cut-back) failed; appends are refused with it until the log is reopened. */
    private volatile LogPoisonedException poison;

    private volatile boolean closed;
    private final FileChannel lockChannel;
    private final java.nio.channels.FileLock lock;
    private FileChannel writeChannel;
    private Segment active;
    private final SegmentReader reader = new SegmentReader(segments);

    private record Pending(byte[] payload, CompletableFuture<Long> done) {}

    /** Queued by {@link #close} so the writer sees {@code closed} now instead of at its next poll. */
    private static final Pending WAKE_UP = new Pending(new byte[0], null);

    public LocalLog(Path dir, long segmentBytes, long maxBytes, Duration retention) throws IOException {
        this(dir, segmentBytes, maxBytes, retention, FileOpener.DEFAULT);
    }

    public LocalLog(Path dir, long segmentBytes, long maxBytes, Duration retention, FileOpener opener)
            throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.opener = opener;
        this.committedFile = new CommittedFile(dir, opener);
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null; // held by this same JVM
        }
        lock = l;
        if (lock == null) {
            lockChannel.close();
            throw new io.catchment.InUseException(
                    "the log directory " + dir + " is in use by another Catchment process", null);
        }
        try {
            recover();
            deleteLoaded();
        } catch (IOException | RuntimeException e) {
            // release the directory so that a repair (or a retry) in this JVM can take it
            if (writeChannel != null) writeChannel.close();
            lock.release();
            lockChannel.close();
            throw e;
        }
        writer = new Thread(this::writeLoop, "log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    private void recover() throws IOException {
        List<Long> bases = Segment.bases(dir);
        committed = committedFile.read();
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            Path p = dir.resolve(Segment.fileName(base));
            long size = Files.size(p);
            long records = i + 1 < bases.size() ? bases.get(i + 1) - base : -1;
            if (i + 1 < bases.size()) checkHeader(p, base);
            segments.put(base, new Segment(p, base, size, records, opener));
            totalBytes.addAndGet(size);
        }
        if (segments.isEmpty()) {
            long base = committed;
            openNewSegment(base);
        } else {
            Segment last = segments.lastEntry().getValue();
            writeChannel = opener.open(last.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            SegmentScan scan = SegmentScan.of(writeChannel, last.base);
            if (scan.damage() != null) scan = trimTornTail(last, scan);
            totalBytes.addAndGet(scan.validBytes() - last.size);
            last.size = scan.validBytes();
            last.records = scan.records();
            writeChannel.position(last.size);
            active = last;
        }
        endOffset = active.end();
        if (committed > endOffset) {
            throw new CatchmentException("log directory " + dir + " is inconsistent: committed offset " + committed
                    + " is past the last record " + endOffset);
        }
        LOG.info(
                "Log open at {}: offsets {}..{}, committed {}, {} segments, {} bytes",
                dir,
                startOffset(),
                endOffset,
                committed,
                segments.size(),
                totalBytes.get());
    }

    /** An older segment was forced before the next was created: any damage in its header is corruption. */
    private void checkHeader(Path p, long base) throws IOException {
        try (FileChannel ch = opener.open(p, StandardOpenOption.READ)) {
            SegmentScan.Damage bad = SegmentScan.header(ch, base);
            if (bad != null) throw new LogCorruptException(p, bad.at(), bad.what() + " (not the newest segment)");
        }
    }

    /** Cuts a torn tail off the newest segment, keeping the cut bytes in quarantine; refuses any other damage. */
    private SegmentScan trimTornTail(Segment last, SegmentScan scan) throws IOException {
        SegmentScan.Damage d = scan.damage();
        if (d.kind() != SegmentScan.Kind.TORN_TAIL) throw new LogCorruptException(last.path, d.at(), d.what());
        long size = writeChannel.size();
        Path kept = new Quarantine(dir).copyTail(last.path, writeChannel, scan.validBytes(), "torn", d.what());
        writeChannel.truncate(scan.validBytes());
        if (scan.validBytes() < Segment.HEADER_BYTES) {
            writeChannel.write(Segment.header(last.base), 0);
            scan = new SegmentScan(0, Segment.HEADER_BYTES, null);
        }
        writeChannel.force(true);
        LOG.warn(
                "Log segment {}: torn tail at byte {} ({}); cut {} bytes written after the last fsync, kept in {}",
                last.path,
                d.at(),
                d.what(),
                size - Math.min(size, d.at()),
                kept);
        return scan;
    }

    private void openNewSegment(long base) throws IOException {
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
    }

    @Override
    public long append(byte[] record) throws IOException {
        if (record.length == 0 || record.length > Segment.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "record size " + record.length + " outside 1.." + Segment.MAX_RECORD_BYTES);
        }
        LogPoisonedException poisoned = poison;
        if (poisoned != null) throw new LogPoisonedException(poisoned.getMessage(), poisoned);
        if (closed) throw new IOException("log is closed");
        long bytes = record.length + Segment.RECORD_HEADER_BYTES;
        if (totalBytes.get() + bytes > maxBytes) deleteLoaded();
        if (totalBytes.addAndGet(bytes) > maxBytes) {
            totalBytes.addAndGet(-bytes);
            throw new LogFullException("log quota of " + maxBytes + " bytes reached (" + totalBytes.get()
                    + " bytes in use); the loader is behind");
        }
        Pending p = new Pending(record, new CompletableFuture<>());
        queue.add(p);
        try {
            return p.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for durability", e);
        } catch (ExecutionException e) {
            // a new exception of the same type, so the appender's stack is in the trace too
            Throwable cause = e.getCause();
            if (cause instanceof LogPoisonedException x) throw new LogPoisonedException(x.getMessage(), x);
            if (cause instanceof DiskFullException x) throw new DiskFullException(x.getMessage(), x);
            if (cause instanceof IOException io) throw new IOException(io.getMessage(), io);
            throw new IOException("append failed", cause);
        }
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES);
        while (!closed || !queue.isEmpty()) {
            group.clear();
            try {
                Pending first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
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

    /** Forces {@code ch}; a failure poisons the log (see the class comment) before it is rethrown. */
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

    @Override
    public synchronized List<LogRecord> read(long from, int max, Duration wait)
            throws IOException, InterruptedException {
        if (from < startOffset()) {
            throw new CatchmentException("offset " + from + " was already deleted; the log starts at " + startOffset());
        }
        // past a gap a repair left, so a reader there waits instead of spinning
        if (from < endOffset) from = reader.skipGap(from);
        if (from >= endOffset) {
            long deadline = System.nanoTime() + wait.toNanos();
            synchronized (durable) {
                while (from >= endOffset && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return List.of();
                    durable.wait(left / 1_000_000 + 1);
                }
            }
        }
        return reader.read(from, max, endOffset);
    }

    @Override
    public void commit(long next) throws IOException {
        if (next <= committed) return;
        if (next > endOffset) throw new IllegalArgumentException("commit " + next + " is past the end " + endOffset);
        committedFile.write(next); // first: a failed write must not move the offset in memory either
        committed = next;
        deleteLoaded();
    }

    /** Deletes segments that are fully committed and older than the retention. Never the active one. */
    public synchronized void deleteLoaded() throws IOException {
        Instant cutoff = Instant.now().minus(retention);
        for (Segment s : segments.values()) {
            if (s == active || s.end() > committed) break;
            if (Files.getLastModifiedTime(s.path).toInstant().isAfter(cutoff)) break;
            s.closeReader();
            Files.deleteIfExists(s.path);
            segments.remove(s.base);
            totalBytes.addAndGet(-s.size);
            LOG.debug("Deleted loaded segment {}", s.path);
        }
    }

    @Override
    public long committedOffset() {
        return committed;
    }

    @Override
    public long endOffset() {
        return endOffset;
    }

    @Override
    public long startOffset() {
        return segments.firstKey();
    }

    @Override
    public long sizeBytes() {
        return totalBytes.get();
    }

    @Override
    public boolean healthy() {
        return poison == null && !closed;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        queue.add(WAKE_UP);
        synchronized (durable) {
            durable.notifyAll();
        }
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Segment s : segments.values()) s.closeReader();
            if (writeChannel != null) writeChannel.close();
        }
        lock.release();
        lockChannel.close();
    }
}
