package io.catchment.sink;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one part of a {@link TableBatch} as ClickHouse {@code TabSeparated}: one row per line, cells split by a tab,
 * backslash escapes for tab, newline, carriage return and backslash (so a raw tab or newline byte is always a
 * separator), NULL as {@code \N}, booleans as 1/0, times as ISO-8601 (read with {@code date_time_input_format=
 * best_effort}). A row staged before a column appeared has fewer cells; {@link #padded} adds the missing {@code \N}s
 * while the file is sent. Not thread-safe.
 */
public final class TsvStage implements TableBatch.Encoder {
  private final Path file;
  private final OutputStream out;

  public TsvStage(Path file) throws IOException {
    this.file = file;
    this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
  }

  public Path file() {
    return file;
  }

  @Override
  public void row(Object[] cells, ColumnType[] types, int columns) throws IOException {
    for (int c = 0; c < columns; c++) {
      if (c > 0) out.write('\t');
      cell(cells[c], types[c]);
    }
    out.write('\n');
  }

  private void cell(Object v, ColumnType type) throws IOException {
    if (v == null) {
      out.write('\\');
      out.write('N');
      return;
    }
    switch (type) {
      case TIMESTAMP -> escaped(((Field.TimeValue) v).iso());
      case BOOLEAN -> out.write((Boolean) v ? '1' : '0');
      case JSON -> {
        if (v instanceof Field.JsonText j) {
          escaped(j.json());
        } else if (v instanceof String || v instanceof Field.TimeValue) {
          escaped('"' + new String(JsonStringEncoder.getInstance().quoteAsString(v.toString())) + '"');
        } else {
          escaped(v.toString());
        }
      }
      default -> escaped(v.toString());
    }
  }

  private void escaped(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    for (int i = 0; i < b.length; i++) {
      byte x = b[i];
      byte e = switch (x) {
        case '\t' -> 't';
        case '\n' -> 'n';
        case '\r' -> 'r';
        case '\\' -> '\\';
        case 0 -> '0';
        default -> -1;
      };
      if (e < 0) continue;
      out.write(b, from, i - from);
      out.write('\\');
      out.write(e);
      from = i + 1;
    }
    out.write(b, from, b.length - from);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  @Override
  public void discard() throws IOException {
    Files.deleteIfExists(file);
  }

  /** Reads back the staged rows of a row-filter's choosing; the reader sees each line without its newline. */
  @FunctionalInterface
  public interface LineFilter {
    boolean keep(byte[] line, int from, int to);
  }

  /**
   * Copies the staged rows to {@code sink}, each padded with {@code \N} cells to {@code columns} cells, leaving out
   * the lines {@code filter} refuses. Returns the rows written.
   */
  public static long padded(Path file, int columns, LineFilter filter, OutputStream sink) throws IOException {
    long rows = 0;
    byte[] buf = new byte[1 << 16];
    byte[] line = new byte[1 << 12];
    int len = 0;
    int tabs = 0;
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n') {
            if (filter == null || filter.keep(line, 0, len)) {
              sink.write(line, 0, len);
              for (int c = tabs + 1; c < columns; c++) {
                sink.write('\t');
                sink.write('\\');
                sink.write('N');
              }
              sink.write('\n');
              rows++;
            }
            len = 0;
            tabs = 0;
            continue;
          }
          if (b == '\t') tabs++;
          if (len == line.length) line = java.util.Arrays.copyOf(line, len * 2);
          line[len++] = b;
        }
      }
    }
    return rows;
  }
}
