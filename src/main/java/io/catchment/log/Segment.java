package io.catchment.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

  /** Result of validating a segment from its header: how many whole records and where the valid bytes end. */
  record Scan(long records, long validBytes, String problem) {}

  /** Reads every record, checking lengths and checksums; stops at the first record that is torn or corrupt. */
  static Scan scan(FileChannel ch, long base) throws IOException {
    long fileSize = ch.size();
    if (fileSize < HEADER_BYTES) return new Scan(0, 0, "file shorter than its header (" + fileSize + " bytes)");
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
    readFully(ch, h, 0);
    h.flip();
    byte[] magic = new byte[8];
    h.get(magic);
    long headerBase = h.getLong();
    if (!java.util.Arrays.equals(magic, MAGIC)) return new Scan(0, 0, "bad magic");
    if (headerBase != base) return new Scan(0, 0, "header says base offset " + headerBase + ", file name says " + base);
    long pos = HEADER_BYTES;
    long n = 0;
    ByteBuffer rh = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    while (pos < fileSize) {
      if (fileSize - pos < RECORD_HEADER_BYTES) {
        return new Scan(n, pos, "torn record header at byte " + pos + " (" + (fileSize - pos) + " bytes left)");
      }
      rh.clear();
      readFully(ch, rh, pos);
      rh.flip();
      int len = rh.getInt();
      int crc = rh.getInt();
      if (len <= 0 || len > MAX_RECORD_BYTES) return new Scan(n, pos, "invalid record length " + len + " at byte " + pos);
      if (pos + RECORD_HEADER_BYTES + len > fileSize) {
        return new Scan(n, pos, "torn record at byte " + pos + ": expected " + len + " payload bytes, "
            + (fileSize - pos - RECORD_HEADER_BYTES) + " present");
      }
      ByteBuffer payload = ByteBuffer.allocate(len);
      readFully(ch, payload, pos + RECORD_HEADER_BYTES);
      if (crc(payload.array()) != crc) return new Scan(n, pos, "checksum mismatch in record at byte " + pos);
      pos += RECORD_HEADER_BYTES + len;
      n++;
    }
    return new Scan(n, pos, null);
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
