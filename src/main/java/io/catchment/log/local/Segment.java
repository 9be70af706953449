package io.catchment.log.local;

import io.catchment.log.EventLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * One segment file of {@link LocalLog}: header then records (format in LocalLog's class comment). Holds a read
 * channel; the writer has its own. Not thread-safe on its own; LocalLog guards it.
 */
final class Segment {
    static final byte[] MAGIC = {'C', 'A', 'T', 'L', 'O', 'G', 0, 1};
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    static final int MAX_RECORD_BYTES = EventLog.MAX_RECORD_BYTES;

    final Path path;
    final long base;
    /** Bytes that are durable and readable. */
    volatile long size;
    /** Records that are durable. */
    volatile long records;

    private FileChannel reader;
    private final FileOpener opener;

    Segment(Path path, long base, long size, long records, FileOpener opener) {
        this.path = path;
        this.base = base;
        this.size = size;
        this.records = records;
        this.opener = opener;
    }

    static String fileName(long base) {
        return String.format("%020d.log", base);
    }

    /** The base offsets of the segment files in {@code dir}, in order. */
    static List<Long> bases(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{20}\\.log"))
                    .map(n -> Long.parseLong(n.substring(0, 20)))
                    .sorted()
                    .toList();
        }
    }

    static ByteBuffer header(long base) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.put(MAGIC).putLong(base).flip();
        return b;
    }

    long end() {
        return base + records;
    }

    FileChannel reader() throws IOException {
        if (reader == null) reader = opener.open(path, StandardOpenOption.READ);
        return reader;
    }

    void closeReader() throws IOException {
        if (reader != null) reader.close();
        reader = null;
    }

    static int crc(byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(payload, 0, payload.length);
        return (int) c.getValue();
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
