package io.catchment.sink.duckdb;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.sink.TableBatch;
import io.catchment.sink.TextStage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes one part of a {@link TableBatch} as a CSV file the store bulk-loads, which measured about twice as fast as DuckDB's
 * JDBC appender here (BENCHMARKS.md). Dialect: comma, every string double-quoted with inner quotes doubled (so commas,
 * quotes and newlines survive), NULL as the unquoted {@code \N}, which a quoted {@code "\N"} string never matches when
 * read with {@code allow_quoted_nulls=false}. Rows end with {@code \n}, declared to the reader ({@code new_line}):
 * left to sniff it, DuckDB takes a carriage return inside a quoted value for the file's line ending and refuses the
 * file ("CSV Parser state machine reached an invalid state"), so a single {@code \r} in user text stopped a batch.
 * Numbers and booleans are written bare, timestamps as ISO-8601 UTC.
 * Cells are formatted by the column's type when the row is written; the only type change a batch can see later is
 * BIGINT to DOUBLE, whose text is the same. Not thread-safe.
 */
public final class CsvStage extends TextStage {
    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    public CsvStage(Path file) throws IOException {
        super(file, "\"\n\r");
    }

    @Override
    public void row(Object[] cells, ColumnType[] types, int columns) throws IOException {
        for (int c = 0; c < columns; c++) {
            if (c > 0) put((byte) ',');
            cell(cells[c], types[c]);
        }
        endRow();
    }

    /**
     * DuckDB's {@code read_csv} of this file in this dialect; {@code columns} is its column spec ({@code 'name':
     * 'TYPE', …}). {@code padded} reads rows staged before a column appeared with NULL in their missing cells (with
     * DuckDB's serial reader when a value holds a line break: its parallel one misreads such rows when padding).
     */
    String readCsv(String columns, boolean padded) {
        return readCsv(columns, padded, false);
    }

    /**
     * With {@code storeRejects}, a row with a cell its column's type cannot take is skipped and listed in the
     * connection's {@code reject_errors} ({@link DuckDbRejects}) instead of failing the statement.
     */
    String readCsv(String columns, boolean padded, boolean storeRejects) {
        return "read_csv('" + file().toString().replace("'", "''") + "', header = false, auto_detect = false, "
                + "delim = ',', quote = '\"', escape = '\"', new_line = '\\n', nullstr = '\\N', allow_quoted_nulls = false, "
                + (storeRejects ? "store_rejects = true, " : "")
                + (padded ? "null_padding = true, " + (multiline() ? "parallel = false, " : "") : "")
                + "columns = {" + columns + "})";
    }

    @Override
    protected void escape(char c) {
        if (c == '"') buf[pos++] = '"'; // inner quotes doubled; line breaks stay as they are inside quotes
        buf[pos++] = (byte) c;
    }

    private void cell(Object v, ColumnType type) {
        if (v == null) {
            put(NULL);
            return;
        }
        switch (type) {
            case VARCHAR -> {
                if (v instanceof Field.RawText r) {
                    // a JSON string without escapes holds no quote and no line break: nothing to double
                    put((byte) '"');
                    raw(r);
                    put((byte) '"');
                } else {
                    quoted(v.toString());
                }
            }
            case TIMESTAMP -> ascii(((Field.TimeValue) v).iso());
            case JSON -> {
                if (v instanceof Field.JsonText j) {
                    quoted(j.json());
                } else if (v instanceof String || v instanceof Field.RawText || v instanceof Field.TimeValue) {
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

    /** A double-quoted field: inner quotes doubled, UTF-8 encoded. */
    private void quoted(String s) {
        ensure(s.length() + 2);
        buf[pos++] = '"';
        text(s);
        put((byte) '"');
    }
}
