package io.catchment.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextStageTest {
  private static final ColumnType[] TYPES = {ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.BOOLEAN,
      ColumnType.TIMESTAMP, ColumnType.JSON, ColumnType.DOUBLE, ColumnType.VARCHAR};

  private static Object[] row(String text) {
    return new Object[] {text, 42L, true, new Field.TimeValue("2024-05-01T10:00:00Z", null),
        new Field.JsonText("{\"a\":[1,2]}"), 1.5, null};
  }

  @Test
  void tsv_escapes_separators_and_encodes_utf8(@TempDir Path dir) throws Exception {
    TsvStage s = new TsvStage(dir.resolve("a.tsv"));
    s.row(row("a\tb\nc\rd\\e\0f é € 😀 \ud800"), TYPES, TYPES.length);
    s.row(row("plain"), TYPES, TYPES.length);
    s.close();
    assertThat(Files.readString(s.file(), StandardCharsets.UTF_8)).isEqualTo(
        "a\\tb\\nc\\rd\\\\e\\0f é € 😀 \ufffd\t42\t1\t2024-05-01T10:00:00Z\t{\"a\":[1,2]}\t1.5\t\\N\n"
            + "plain\t42\t1\t2024-05-01T10:00:00Z\t{\"a\":[1,2]}\t1.5\t\\N\n");
    assertThat(s.multiline()).isTrue();
  }

  @Test
  void csv_quotes_strings_and_doubles_inner_quotes(@TempDir Path dir) throws Exception {
    CsvStage s = new CsvStage(dir.resolve("a.csv"));
    s.row(row("say \"hi\", then\nbye é"), TYPES, TYPES.length);
    s.close();
    assertThat(Files.readString(s.file(), StandardCharsets.UTF_8)).isEqualTo(
        "\"say \"\"hi\"\", then\nbye é\",42,true,2024-05-01T10:00:00Z,\"{\"\"a\"\":[1,2]}\",1.5,\\N\n");
    assertThat(s.multiline()).isTrue();
  }

  @Test
  void values_longer_than_the_buffer_survive(@TempDir Path dir) throws Exception {
    String big = "x\t".repeat(100_000);
    TsvStage s = new TsvStage(dir.resolve("b.tsv"));
    for (int i = 0; i < 3; i++) s.row(new Object[] {big}, new ColumnType[] {ColumnType.VARCHAR}, 1);
    s.close();
    String line = "x\\t".repeat(100_000) + "\n";
    assertThat(Files.readString(s.file())).isEqualTo(line.repeat(3));
  }
}
