package io.catchment.log.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The result of validating one segment file record by record: how many whole records, where the valid bytes end, and
 * the first damage, classified as a torn tail (safe to trim) or damage to data that may have been acknowledged. The
 * rule is in {@link LocalLog}'s class comment. Reads only; never changes the file.
 */
record SegmentScan(long records, long validBytes, Damage damage) {
    /** How bad: a torn tail can be trimmed; a bad header or a bad record with valid records after it cannot. */
    enum Kind {
        TORN_TAIL,
        BAD_HEADER,
        BAD_RECORD
    }

    /** What is wrong at byte {@code at}, with the facts (expected vs found). */
    record Damage(Kind kind, long at, String what) {}

    private static final byte[] MAGIC_PREFIX = Arrays.copyOf(Segment.MAGIC, 7);
    private static final int WINDOW = 1 << 20;

    /** Validates the header, then every record's length and checksum. */
    static SegmentScan of(FileChannel ch, long base) throws IOException {
        long size = ch.size();
        Damage bad = header(ch, base);
        if (bad != null) return new SegmentScan(0, 0, bad);
        long pos = Segment.HEADER_BYTES;
        long n = 0;
        while (pos < size) {
            String problem = recordProblem(ch, pos, size);
            if (problem != null) return new SegmentScan(n, pos, classify(ch, pos, size, problem));
            pos += Segment.RECORD_HEADER_BYTES + readHeader(ch, pos).getInt(0);
            n++;
        }
        return new SegmentScan(n, pos, null);
    }

    /** Checks the 16-byte header only (what open does for older segments); null when it is fine. */
    static Damage header(FileChannel ch, long base) throws IOException {
        long size = ch.size();
        if (size < Segment.HEADER_BYTES) {
            return new Damage(
                    Kind.TORN_TAIL,
                    0,
                    "file shorter than its header: expected " + Segment.HEADER_BYTES + " bytes, found " + size);
        }
        ByteBuffer h = ByteBuffer.allocate(Segment.HEADER_BYTES);
        Segment.readFully(ch, h, 0);
        byte[] magic = Arrays.copyOf(h.array(), 8);
        long headerBase = h.getLong(8);
        HexFormat hex = HexFormat.ofDelimiter(" ");
        if (Arrays.equals(Arrays.copyOf(magic, 7), MAGIC_PREFIX) && magic[7] > Segment.MAGIC[7]) {
            return new Damage(
                    Kind.BAD_HEADER,
                    7,
                    "segment format version " + magic[7] + ", but this Catchment reads version " + Segment.MAGIC[7]
                            + " (written by a newer release? run that release instead)");
        }
        if (!Arrays.equals(magic, Segment.MAGIC)) {
            return new Damage(
                    Kind.BAD_HEADER,
                    0,
                    "bad magic: expected " + hex.formatHex(Segment.MAGIC) + " (\"CATLOG\\0\\1\"), found "
                            + hex.formatHex(magic));
        }
        if (headerBase != base) {
            return new Damage(
                    Kind.BAD_HEADER,
                    8,
                    "base offset mismatch: the file name says " + base + ", the header says " + headerBase);
        }
        return null;
    }

    /** Why the record at {@code pos} is not whole and valid, or null when it is. */
    private static String recordProblem(FileChannel ch, long pos, long size) throws IOException {
        if (size - pos < Segment.RECORD_HEADER_BYTES) {
            return "record header cut short: expected " + Segment.RECORD_HEADER_BYTES + " bytes, found " + (size - pos);
        }
        ByteBuffer rh = readHeader(ch, pos);
        int len = rh.getInt(0);
        int crc = rh.getInt(4);
        if (len <= 0 || len > Segment.MAX_RECORD_BYTES) {
            return "invalid record length: expected 1.." + Segment.MAX_RECORD_BYTES + ", found " + len;
        }
        long present = size - pos - Segment.RECORD_HEADER_BYTES;
        if (len > present) return "record cut short: expected " + len + " payload bytes, found " + present;
        ByteBuffer payload = ByteBuffer.allocate(len);
        Segment.readFully(ch, payload, pos + Segment.RECORD_HEADER_BYTES);
        int actual = Segment.crc(payload.array());
        if (actual != crc) {
            return String.format(
                    "checksum mismatch: the record header says crc32c %08x, the %d payload bytes give %08x",
                    crc, len, actual);
        }
        return null;
    }

    /** A problem is a torn tail only if no valid record starts anywhere after it; else it is mid-segment damage. */
    private static Damage classify(FileChannel ch, long pos, long size, String problem) throws IOException {
        long next = nextValidRecord(ch, pos + 1, size);
        if (next < 0) return new Damage(Kind.TORN_TAIL, pos, problem);
        return new Damage(
                Kind.BAD_RECORD,
                pos,
                problem + "; a valid record follows at byte " + next + ", so this is not a torn write");
    }

    /**
     * The first byte at or after {@code from} where a whole record with a matching checksum starts, or -1. Scans every
     * byte position, reading the file in windows; a candidate needs a plausible length that fits in the file.
     */
    static long nextValidRecord(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(WINDOW + Segment.RECORD_HEADER_BYTES);
        for (long start = from; start + Segment.RECORD_HEADER_BYTES <= size; start += WINDOW) {
            window.clear().limit((int) Math.min(window.capacity(), size - start));
            Segment.readFully(ch, window, start);
            int last = Math.min(WINDOW, window.limit() - Segment.RECORD_HEADER_BYTES + 1);
            for (int i = 0; i < last; i++) {
                int len = window.getInt(i);
                if (len <= 0 || len > Segment.MAX_RECORD_BYTES) continue;
                if (start + i + Segment.RECORD_HEADER_BYTES + len > size) continue;
                if (recordProblem(ch, start + i, size) == null) return start + i;
            }
        }
        return -1;
    }

    private static ByteBuffer readHeader(FileChannel ch, long pos) throws IOException {
        ByteBuffer rh = ByteBuffer.allocate(Segment.RECORD_HEADER_BYTES);
        Segment.readFully(ch, rh, pos);
        return rh;
    }
}
