package io.catchment.sink;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one part of a {@link TableBatch} as a CSV file the store bulk-loads, which measured about twice as fast as DuckDB's
 * JDBC appender here (BENCHMARKS.md). Dialect: comma, every string double-quoted with inner quotes doubled (so commas,
 * quotes and newlines survive), NULL as the unquoted {@code \N}, which a quoted {@code "\N"} string never matches when
 * read with {@code allow_quoted_nulls=false}. Numbers and booleans are written bare, timestamps as ISO-8601 UTC.
 * Encodes UTF-8 itself into one buffer: ASCII strings, the common case, are copied byte for byte. Cells are formatted
 * by the column's type when the row is written; the only type change a batch can see later is BIGINT to DOUBLE, whose
 * text is the same. Not thread-safe.
 */
final class CsvStage implements TableBatch.Encoder {
  private static final byte[] NULL = {'\\', 'N'};
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
  private static final int FLUSH_AT = (1 << 16) - 1024;

  private byte[] buf = new byte[1 << 16];
  private int pos;
  private final Path file;
  private final OutputStream out;

  CsvStage(Path file) throws IOException {
    this.file = file;
    this.out = Files.newOutputStream(file);
  }

  Path file() {
    return file;
  }

  @Override
  public void row(Object[] cells, ColumnType[] types, int columns) throws IOException {
    for (int c = 0; c < columns; c++) {
      if (c > 0) put((byte) ',');
      cell(cells[c], types[c]);
    }
    put((byte) '\n');
    if (pos > FLUSH_AT) flush();
  }

  @Override
  public void close() throws IOException {
    flush();
    out.close();
  }

  @Override
  public void discard() throws IOException {
    Files.deleteIfExists(file);
  }

  private void cell(Object v, ColumnType type) {
    if (v == null) {
      put(NULL);
      return;
    }
    switch (type) {
      case VARCHAR -> quoted(v.toString());
      case TIMESTAMP -> ascii(((Field.TimeValue) v).iso());
      case JSON -> {
        if (v instanceof Field.JsonText j) {
          quoted(j.json());
        } else if (v instanceof String || v instanceof Field.TimeValue) {
          quoted('"' + new String(JsonStringEncoder.getInstance().quoteAsString(v.toString())) + '"');
        } else {
          ascii(v.toString());
        }
      }
      case BOOLEAN -> put((Boolean) v ? TRUE : FALSE);
      case BIGINT -> {
        if (v instanceof Long l) {
          number(l);
        } else {
          ascii(v.toString());
        }
      }
      default -> ascii(v.toString());
    }
  }

  private void number(long l) {
    if (l >= 0 && l < 10) {
      put((byte) ('0' + l));
    } else {
      ascii(Long.toString(l));
    }
  }

  private boolean multiline;

  /** Whether a value staged here holds a line break (DuckDB then reads padded rows only with its serial reader). */
  public boolean multiline() {
    return multiline;
  }

  /** A double-quoted field: inner quotes doubled, UTF-8 encoded. */
  private void quoted(String s) {
    int len = s.length();
    ensure(len * 3 + 2 + len);
    buf[pos++] = '"';
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c == '"') buf[pos++] = '"';
        if (c == '\n' || c == '\r') multiline = true;
        buf[pos++] = (byte) c;
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xc0 | (c >> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[pos++] = (byte) (0xf0 | (cp >> 18));
        buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        buf[pos++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        // a lone surrogate cannot be encoded in UTF-8: U+FFFD, as every UTF-8 encoder does
        buf[pos++] = (byte) 0xef;
        buf[pos++] = (byte) 0xbf;
        buf[pos++] = (byte) 0xbd;
      } else {
        buf[pos++] = (byte) (0xe0 | (c >> 12));
        buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        buf[pos++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    buf[pos++] = '"';
  }

  private void ascii(String s) {
    int len = s.length();
    ensure(len);
    for (int i = 0; i < len; i++) buf[pos++] = (byte) s.charAt(i);
  }

  private void put(byte b) {
    ensure(1);
    buf[pos++] = b;
  }

  private void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      if (n > buf.length / 2) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      else flushUnchecked();
    }
  }

  private void flushUnchecked() {
    try {
      flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void flush() throws IOException {
    out.write(buf, 0, pos);
    pos = 0;
  }
}
