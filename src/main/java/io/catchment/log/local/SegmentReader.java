package io.catchment.log.local;

import io.catchment.log.EventLog.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Reads records from the log's segments, checking each record's length and CRC; keeps where the last read ended, so
 * the next read from there does not seek. Not thread-safe: {@link LocalLog} calls it under its own lock (the same one
 * that deletes old segments).
 */
final class SegmentReader {
    private record Cursor(long offset, Segment segment, long position) {}

    private final ConcurrentSkipListMap<Long, Segment> segments;
    private Cursor cursor;

    SegmentReader(ConcurrentSkipListMap<Long, Segment> segments) {
        this.segments = segments;
    }

    /** {@code from}, or the first offset after it when a repair left a gap there (below the log's end). */
    long skipGap(long from) throws IOException {
        cursor = cursorAt(from);
        return cursor.offset;
    }

    /** Up to {@code max} records from {@code from} (below {@code end}, the last durable offset + 1). */
    List<LogRecord> read(long from, int max, long end) throws IOException {
        Cursor c = cursorAt(from);
        List<LogRecord> out = new ArrayList<>();
        Segment seg = c.segment;
        long pos = c.position;
        long off = c.offset;
        ByteBuffer rh = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES);
        while (out.size() < max && off < end) {
            if (off >= seg.end() || exhausted(seg, pos)) {
                var next = segments.higherEntry(seg.base);
                if (next == null) break;
                seg = next.getValue();
                off = seg.base;
                pos = Segment.HEADER_BYTES;
                continue;
            }
            rh.clear();
            Segment.readFully(seg.reader(), rh, pos);
            rh.flip();
            int len = rh.getInt();
            int crc = rh.getInt();
            if (len <= 0 || len > Segment.MAX_RECORD_BYTES || pos + Segment.RECORD_HEADER_BYTES + len > seg.size) {
                throw new LogCorruptException(
                        seg.path, pos, "invalid length " + len + " in the record header of offset " + off);
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            Segment.readFully(seg.reader(), payload, pos + Segment.RECORD_HEADER_BYTES);
            int actual = Segment.crc(payload.array());
            if (actual != crc) {
                throw new LogCorruptException(
                        seg.path,
                        pos,
                        String.format(
                                "checksum mismatch in the record of offset %d: the "
                                        + "record header says crc32c %08x, the payload gives %08x",
                                off, crc, actual));
            }
            out.add(new LogRecord(off, payload.array()));
            pos += Segment.RECORD_HEADER_BYTES + len;
            off++;
        }
        cursor = new Cursor(off, seg, pos);
        return out;
    }

    private Cursor cursorAt(long from) throws IOException {
        return cursor != null && cursor.offset == from && segments.containsKey(cursor.segment.base)
                ? cursor
                : seek(from);
    }

    private Cursor seek(long offset) throws IOException {
        Segment seg = segments.floorEntry(offset).getValue();
        long pos = Segment.HEADER_BYTES;
        ByteBuffer rh = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES);
        for (long o = seg.base; o <= offset; o++) {
            if (exhausted(seg, pos)) {
                Segment next = segments.higherEntry(seg.base).getValue();
                return new Cursor(next.base, next, Segment.HEADER_BYTES);
            }
            if (o == offset) break;
            rh.clear();
            Segment.readFully(seg.reader(), rh, pos);
            rh.flip();
            pos += Segment.RECORD_HEADER_BYTES + rh.getInt();
        }
        return new Cursor(offset, seg, pos);
    }

    /**
     * An older segment ends before the next one's base when a repair moved its damaged part to quarantine: those offsets
     * are a gap and reading goes on at the next segment. The newest segment's size is where the writer is.
     */
    private boolean exhausted(Segment seg, long pos) {
        return pos >= seg.size && seg.base < segments.lastKey();
    }
}
