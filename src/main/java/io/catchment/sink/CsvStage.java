package io.catchment.sink;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a {@link TableBatch} as a CSV file the store bulk-loads, which measured about twice as fast as DuckDB's
 * JDBC appender here (BENCHMARKS.md). Dialect: comma, every string double-quoted with inner quotes doubled (so commas,
 * quotes and newlines survive), NULL as the unquoted {@code \N}, which a quoted {@code "\N"} string never matches when
 * read with {@code allow_quoted_nulls=false}. Numbers and booleans are written bare, timestamps as ISO-8601 UTC.
 */
final class CsvStage {
  private CsvStage() {}

  static void write(Path file, TableBatch batch, List<ColumnType> types) throws IOException {
    int n = types.size();
    try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
      for (Object[] row : batch.rows()) {
        for (int c = 0; c < n; c++) {
          if (c > 0) w.write(',');
          cell(w, c < row.length ? row[c] : null, types.get(c));
        }
        w.write('\n');
      }
    }
  }

  private static void cell(Writer w, Object v, ColumnType type) throws IOException {
    if (v == null) {
      w.write("\\N");
      return;
    }
    switch (type) {
      case VARCHAR -> quoted(w, v.toString());
      case TIMESTAMP -> w.write(((Field.TimeValue) v).iso());
      case JSON -> {
        if (v instanceof Field.JsonText j) {
          quoted(w, j.json());
        } else if (v instanceof String || v instanceof Field.TimeValue) {
          quoted(w, '"' + new String(JsonStringEncoder.getInstance().quoteAsString(v.toString())) + '"');
        } else {
          w.write(v.toString());
        }
      }
      default -> w.write(v.toString());
    }
  }

  private static void quoted(Writer w, String s) throws IOException {
    w.write('"');
    if (s.indexOf('"') < 0) {
      w.write(s);
    } else {
      w.write(s.replace("\"", "\"\""));
    }
    w.write('"');
  }
}
