package io.catchment.log.local;

import io.catchment.CatchmentException;
import io.catchment.InUseException;
import io.catchment.log.DiskFullException;
import io.catchment.log.EventLog;
import io.catchment.log.LogFullException;
import io.catchment.log.LogPoisonedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
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
 *
 * <p>Opening is {@link LogRecovery}; writing (group commit, rolling, the failure rules) is {@link SegmentWriter};
 * reading is {@link SegmentReader}.
 */
public final class LocalLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);

    private final Path dir;
    private final long maxBytes;
    private final Duration retention;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final SegmentWriter writer;
    private final CommittedFile committedFile;
    private volatile long committed;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SegmentReader reader = new SegmentReader(segments);

    public LocalLog(Path dir, long segmentBytes, long maxBytes, Duration retention) throws IOException {
        this(dir, segmentBytes, maxBytes, retention, FileOpener.DEFAULT);
    }

    public LocalLog(Path dir, long segmentBytes, long maxBytes, Duration retention, FileOpener opener)
            throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.committedFile = new CommittedFile(dir, opener);
        this.writer = new SegmentWriter(dir, segmentBytes, opener, segments, totalBytes);
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this same JVM
        }
        lock = l;
        if (lock == null) {
            lockChannel.close();
            throw new InUseException("the log directory " + dir + " is in use by another Catchment process", null);
        }
        try {
            recover(opener);
            deleteLoaded();
        } catch (IOException | RuntimeException e) {
            // release the directory so that a repair (or a retry) in this JVM can take it
            writer.closeChannel();
            lock.release();
            lockChannel.close();
            throw e;
        }
        writer.start();
    }

    private void recover(FileOpener opener) throws IOException {
        committed = committedFile.read();
        LogRecovery.recover(dir, opener, committed, segments, totalBytes, writer);
        long endOffset = writer.endOffset();
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

    @Override
    public long append(byte[] record) throws IOException {
        if (record.length == 0 || record.length > Segment.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "record size " + record.length + " outside 1.." + Segment.MAX_RECORD_BYTES);
        }
        LogPoisonedException poisoned = writer.poison();
        if (poisoned != null) throw new LogPoisonedException(poisoned.getMessage(), poisoned);
        if (writer.closed()) throw new IOException("log is closed");
        long bytes = record.length + Segment.RECORD_HEADER_BYTES;
        if (totalBytes.get() + bytes > maxBytes) deleteLoaded();
        if (totalBytes.addAndGet(bytes) > maxBytes) {
            totalBytes.addAndGet(-bytes);
            throw new LogFullException("log quota of " + maxBytes + " bytes reached (" + totalBytes.get()
                    + " bytes in use); the loader is behind");
        }
        try {
            return writer.submit(record).get();
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

    @Override
    public synchronized List<LogRecord> read(long from, int max, Duration wait)
            throws IOException, InterruptedException {
        if (from < startOffset()) {
            throw new CatchmentException("offset " + from + " was already deleted; the log starts at " + startOffset());
        }
        // past a gap a repair left, so a reader there waits instead of spinning
        if (from < writer.endOffset()) from = reader.skipGap(from);
        if (from >= writer.endOffset() && !writer.awaitPast(from, System.nanoTime() + wait.toNanos())) {
            return List.of();
        }
        return reader.read(from, max, writer.endOffset());
    }

    @Override
    public void commit(long next) throws IOException {
        if (next <= committed) return;
        long end = writer.endOffset();
        if (next > end) throw new IllegalArgumentException("commit " + next + " is past the end " + end);
        committedFile.write(next); // first: a failed write must not move the offset in memory either
        committed = next;
        deleteLoaded();
    }

    /** Deletes segments that are fully committed and older than the retention. Never the active one. */
    public synchronized void deleteLoaded() throws IOException {
        Instant cutoff = Instant.now().minus(retention);
        for (Segment s : segments.values()) {
            if (s == writer.active() || s.end() > committed) break;
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
        return writer.endOffset();
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
        return writer.poison() == null && !writer.closed();
    }

    @Override
    public void close() throws IOException {
        writer.stop();
        synchronized (this) {
            for (Segment s : segments.values()) s.closeReader();
            writer.closeChannel();
        }
        lock.release();
        lockChannel.close();
    }
}
