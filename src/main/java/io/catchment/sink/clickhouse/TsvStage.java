package io.catchment.sink.clickhouse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.sink.TableBatch;
import io.catchment.sink.TextStage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one part of a {@link TableBatch} as ClickHouse {@code TabSeparated}: one row per line, cells split by a tab,
 * backslash escapes for tab, newline, carriage return and backslash (so a raw tab or newline byte is always a
 * separator), NULL as {@code \N}, booleans as 1/0, times as ISO-8601 (read with {@code date_time_input_format=
 * best_effort}). A row staged before a column appeared has fewer cells; {@link #padded} adds the missing {@code \N}s
 * while the file is sent. Not thread-safe.
 */
public final class TsvStage extends TextStage {
    private static final byte[] NULL = {'\\', 'N'};

    public TsvStage(Path file) throws IOException {
        super(file, "\t\n\r\\\0");
    }

    @Override
    public void row(Object[] cells, ColumnType[] types, int columns) throws IOException {
        for (int c = 0; c < columns; c++) {
            if (c > 0) put((byte) '\t');
            cell(cells[c], types[c]);
        }
        endRow();
    }

    /** {@code s} as {@link #row} stages it, escapes and all (but a lone surrogate, which it stages as U+FFFD). */
    static String escaped(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = switch (c) {
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case 0 -> "\\0";
                case '\\' -> "\\\\";
                default -> null;
            };
            if (e != null && b == null) b = new StringBuilder(s.substring(0, i));
            if (b != null) b.append(e != null ? e : String.valueOf(c));
        }
        return b == null ? s : b.toString();
    }

    @Override
    protected void escape(char c) {
        buf[pos++] = '\\';
        buf[pos++] = switch (c) {
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case 0 -> '0';
            default -> (byte) c;
        };
    }

    private void cell(Object v, ColumnType type) {
        if (v == null) {
            put(NULL);
            return;
        }
        switch (type) {
            case TIMESTAMP -> ascii(((Field.TimeValue) v).iso());
            case BOOLEAN -> put((Boolean) v ? (byte) '1' : (byte) '0');
            case BIGINT -> {
                if (v instanceof Long l) {
                    number(l);
                } else {
                    text(v.toString());
                }
            }
            case JSON -> {
                if (v instanceof Field.JsonText j) {
                    text(j.json());
                } else if (v instanceof String || v instanceof Field.RawText || v instanceof Field.TimeValue) {
                    text('"' + new String(JsonStringEncoder.getInstance().quoteAsString(v.toString())) + '"');
                } else {
                    text(v.toString());
                }
            }
            default -> {
                if (v instanceof Field.RawText r) {
                    raw(r); // no escape in a JSON string means no tab, newline or backslash either
                } else {
                    text(v.toString());
                }
            }
        }
    }

    /** Reads back the staged rows of a row-filter's choosing; the reader sees each line without its newline. */
    @FunctionalInterface
    public interface LineFilter {
        boolean keep(byte[] line, int from, int to);
    }

    /**
     * Copies the staged rows to {@code sink}, each padded with {@code \\N} cells to {@code columns} cells, leaving out
     * the lines {@code filter} refuses. Returns the rows written. Runs of whole rows are written with one call (the
     * client's compressing stream costs a call per write; byte by byte this was most of the insert threads' time).
     */
    public static long padded(Path file, int columns, LineFilter filter, OutputStream sink) throws IOException {
        long rows = 0;
        byte[] buf = new byte[1 << 16];
        int end = 0; // bytes in buf
        try (var in = Files.newInputStream(file)) {
            while (true) {
                int n = in.read(buf, end, buf.length - end);
                if (n < 0) break;
                end += n;
                int line = 0; // start of the current line
                int run = 0; // start of the rows read but not yet written
                int tabs = 0;
                for (int i = 0; i < end; i++) {
                    byte b = buf[i];
                    if (b == '\t') {
                        tabs++;
                    } else if (b == '\n') {
                        boolean keep = filter == null || filter.keep(buf, line, i);
                        if (!keep || tabs + 1 < columns) {
                            sink.write(buf, run, line - run);
                            if (keep) {
                                sink.write(buf, line, i - line);
                                for (int c = tabs + 1; c < columns; c++) sink.write(PAD);
                                sink.write('\n');
                            }
                            run = i + 1;
                        }
                        if (keep) rows++;
                        line = i + 1;
                        tabs = 0;
                    }
                }
                sink.write(buf, run, line - run);
                // keep the partial last line, at the front; a line longer than the buffer grows it
                System.arraycopy(buf, line, buf, 0, end - line);
                end -= line;
                if (end == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
        }
        return rows;
    }

    private static final byte[] PAD = {'\t', '\\', 'N'};
}
