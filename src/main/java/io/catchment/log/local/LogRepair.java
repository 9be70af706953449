package io.catchment.log.local;

import io.catchment.CatchmentException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Offline repair of a {@link LocalLog} directory ({@code catchment log repair}). Scans every segment in full and
 * reports the damage that would stop the log from opening; with {@code quarantine} it moves the damaged part aside:
 * a bad header moves the whole file to {@code quarantine/}, a bad record copies the bytes from it to the end of the
 * file to {@code quarantine/<segment>-<byte>.bad} and then cuts the segment there. Records after the damage in that
 * segment leave the log but stay in the quarantine file. When the newest segment loses records, an empty segment is
 * created past every offset they could have had, so that no offset is ever given to two records.
 *
 * <p>Guarantees: never deletes a byte; each quarantine entry is forced to disk before its segment is changed; holds the
 * log directory's lock, so it cannot run beside a server; a second run finds nothing. A torn tail is left for
 * {@link LocalLog}'s open, which trims it. Not thread-safe.
 */
public final class LogRepair {
    private final Path dir;
    private final Consumer<String> out;
    private final Quarantine quarantine;

    /** {@code out} receives one line per finding and per action, for the operator. */
    public LogRepair(Path logDir, Consumer<String> out) {
        this.dir = logDir;
        this.out = out;
        this.quarantine = new Quarantine(logDir);
    }

    /** Scans and, when {@code apply}, quarantines; returns how many segments are (or were) damaged. */
    public int run(boolean apply) throws IOException {
        if (!Files.isDirectory(dir)) {
            out.accept("no log at " + dir + ": nothing to repair");
            return 0;
        }
        try (FileChannel lockChannel =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockChannel)) {
            List<Long> bases = Segment.bases(dir);
            int damaged = 0;
            for (int i = 0; i < bases.size(); i++) {
                if (repair(bases.get(i), i == bases.size() - 1, apply)) damaged++;
            }
            out.accept(bases.size() + " segments scanned, " + damaged + " damaged"
                    + (damaged > 0 && !apply
                            ? "; dry run, nothing changed: run again with --quarantine to move the damage aside"
                            : ""));
            return damaged;
        }
    }

    private FileLock tryLock(FileChannel ch) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new CatchmentException("the log directory " + dir
                    + " is in use by a running Catchment process; stop it " + "before repairing the log");
        }
        return lock;
    }

    /** Repairs one segment; true if it was damaged (a torn tail in the newest one is not: open trims it). */
    private boolean repair(long base, boolean newest, boolean apply) throws IOException {
        Path p = dir.resolve(Segment.fileName(base));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            SegmentScan scan = SegmentScan.of(ch, base);
            SegmentScan.Damage d = scan.damage();
            if (d == null) return false;
            if (newest && d.kind() == SegmentScan.Kind.TORN_TAIL) {
                out.accept(p.getFileName() + ": torn tail at byte " + d.at() + " (" + d.what()
                        + "); not damage: the next " + "start cuts it and keeps the bytes in " + quarantine.dir());
                return false;
            }
            long size = ch.size();
            out.accept(p.getFileName() + ": damaged at byte " + d.at() + ": " + d.what());
            if (scan.validBytes() < Segment.HEADER_BYTES) {
                out.accept("  " + (apply ? "moving" : "would move") + " the whole file (" + size + " bytes) to "
                        + quarantine.dir()
                        + "; the records it held leave the log and are kept only there");
                if (!apply) return true;
                ch.close();
                out.accept("  moved to " + quarantine.moveAside(p, d.what()));
                if (newest) reserve(base, size - Segment.HEADER_BYTES);
                return true;
            }
            long firstLost = base + scan.records();
            out.accept("  " + (apply ? "copying" : "would copy") + " bytes " + scan.validBytes() + ".." + size + " to "
                    + quarantine.dir() + (apply ? " and cutting" : " and cut") + " the segment to " + scan.validBytes()
                    + " bytes; it keeps its " + scan.records()
                    + " records before the damage (offsets " + base + ".." + (firstLost - 1)
                    + "); the records from offset "
                    + firstLost + " on in this segment leave the log and are kept only in the quarantine file");
            if (!apply) return true;
            Path kept = quarantine.copyTail(p, ch, scan.validBytes(), "bad", d.what());
            ch.truncate(scan.validBytes());
            ch.force(true);
            out.accept("  copied to " + kept + "; segment cut to " + scan.validBytes() + " bytes");
            if (newest) reserve(firstLost, size - scan.validBytes());
            return true;
        }
    }

    /**
     * Starts an empty newest segment past every offset the {@code lostBytes} could have held (a record is at least
     * {@code RECORD_HEADER_BYTES + 1} bytes): the store may have loaded some of them, so new records must not reuse them.
     */
    private void reserve(long firstLost, long lostBytes) throws IOException {
        long next = firstLost + Math.max(1, lostBytes / (Segment.RECORD_HEADER_BYTES + 1));
        Path p = dir.resolve(Segment.fileName(next));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(Segment.header(next));
            ch.force(true);
        }
        Quarantine.forceDirectory(dir);
        out.accept("  new empty segment " + p.getFileName() + ": offsets " + firstLost + ".." + (next - 1)
                + " are left unused, so no new record reuses an offset of a quarantined one");
    }
}
