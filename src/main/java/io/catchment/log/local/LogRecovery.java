package io.catchment.log.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a log directory, by the recovery rules of {@link LocalLog}'s class comment: lists the segments, checks the
 * headers of the older ones, scans the newest record by record and cuts a torn tail (its bytes kept in quarantine
 * first); any other damage refuses to open with {@link LogCorruptException} and leaves the files untouched. Runs once,
 * on the opening thread, before the writer starts.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);

    private LogRecovery() {}

    /**
     * Fills {@code segments} and {@code totalBytes} from {@code dir} and leaves {@code writer} on the newest segment,
     * or on a new one at {@code committed} when there is none.
     */
    static void recover(
            Path dir,
            FileOpener opener,
            long committed,
            ConcurrentSkipListMap<Long, Segment> segments,
            AtomicLong totalBytes,
            SegmentWriter writer)
            throws IOException {
        List<Long> bases = Segment.bases(dir);
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            Path p = dir.resolve(Segment.fileName(base));
            long size = Files.size(p);
            long records = i + 1 < bases.size() ? bases.get(i + 1) - base : -1;
            if (i + 1 < bases.size()) checkHeader(opener, p, base);
            segments.put(base, new Segment(p, base, size, records, opener));
            totalBytes.addAndGet(size);
        }
        if (segments.isEmpty()) {
            writer.openNewSegment(committed);
            return;
        }
        Segment last = segments.lastEntry().getValue();
        FileChannel ch = opener.open(last.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            SegmentScan scan = SegmentScan.of(ch, last.base);
            if (scan.damage() != null) scan = trimTornTail(dir, last, ch, scan);
            totalBytes.addAndGet(scan.validBytes() - last.size);
            last.size = scan.validBytes();
            last.records = scan.records();
            ch.position(last.size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        writer.resume(last, ch);
    }

    /** An older segment was forced before the next was created: any damage in its header is corruption. */
    private static void checkHeader(FileOpener opener, Path p, long base) throws IOException {
        try (FileChannel ch = opener.open(p, StandardOpenOption.READ)) {
            SegmentScan.Damage bad = SegmentScan.header(ch, base);
            if (bad != null) throw new LogCorruptException(p, bad.at(), bad.what() + " (not the newest segment)");
        }
    }

    /** Cuts a torn tail off the newest segment, keeping the cut bytes in quarantine; refuses any other damage. */
    private static SegmentScan trimTornTail(Path dir, Segment last, FileChannel ch, SegmentScan scan)
            throws IOException {
        SegmentScan.Damage d = scan.damage();
        if (d.kind() != SegmentScan.Kind.TORN_TAIL) throw new LogCorruptException(last.path, d.at(), d.what());
        long size = ch.size();
        Path kept = new Quarantine(dir).copyTail(last.path, ch, scan.validBytes(), "torn", d.what());
        ch.truncate(scan.validBytes());
        if (scan.validBytes() < Segment.HEADER_BYTES) {
            ch.write(Segment.header(last.base), 0);
            scan = new SegmentScan(0, Segment.HEADER_BYTES, null);
        }
        ch.force(true);
        LOG.warn(
                "Log segment {}: torn tail at byte {} ({}); cut {} bytes written after the last fsync, kept in {}",
                last.path,
                d.at(),
                d.what(),
                size - Math.min(size, d.at()),
                kept);
        return scan;
    }
}
