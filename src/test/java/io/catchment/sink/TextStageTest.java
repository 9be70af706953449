package io.catchment.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.sink.clickhouse.TsvStage;
import io.catchment.sink.duckdb.CsvStage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextStageTest {
    private static final ColumnType[] TYPES = {
        ColumnType.VARCHAR,
        ColumnType.BIGINT,
        ColumnType.BOOLEAN,
        ColumnType.TIMESTAMP,
        ColumnType.JSON,
        ColumnType.DOUBLE,
        ColumnType.VARCHAR
    };

    private static Object[] row(String text) {
        return new Object[] {
            text,
            42L,
            true,
            new Field.TimeValue("2024-05-01T10:00:00Z", null),
            new Field.JsonText("{\"a\":[1,2]}"),
            1.5,
            null
        };
    }

    @Test
    void tsv_escapes_separators_and_encodes_utf8(@TempDir Path dir) throws Exception {
        TsvStage s = new TsvStage(dir.resolve("a.tsv"));
        s.row(row("a\tb\nc\rd\\e\0f é € 😀 \ud800"), TYPES, TYPES.length);
        s.row(row("plain"), TYPES, TYPES.length);
        s.close();
        assertThat(Files.readString(s.file(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "a\\tb\\nc\\rd\\\\e\\0f é € 😀 \ufffd\t42\t1\t2024-05-01T10:00:00Z\t{\"a\":[1,2]}\t1.5\t\\N\n"
                                + "plain\t42\t1\t2024-05-01T10:00:00Z\t{\"a\":[1,2]}\t1.5\t\\N\n");
        assertThat(s.multiline()).isTrue();
    }

    @Test
    void csv_quotes_strings_and_doubles_inner_quotes(@TempDir Path dir) throws Exception {
        CsvStage s = new CsvStage(dir.resolve("a.csv"));
        s.row(row("say \"hi\", then\nbye é"), TYPES, TYPES.length);
        s.close();
        assertThat(Files.readString(s.file(), StandardCharsets.UTF_8))
                .isEqualTo(
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

    @Test
    void staged_rows_are_sent_padded_and_filtered(@TempDir Path dir) throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int round = 0; round < 50; round++) {
            int columns = 1 + random.nextInt(6);
            StringBuilder file = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            long kept = 0;
            int rows = random.nextInt(0, 3000);
            for (int r = 0; r < rows; r++) {
                int cells = 1 + random.nextInt(columns);
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < cells; c++) {
                    if (c > 0) line.append('\t');
                    line.append(c > 0 && random.nextInt(50) == 0 ? "x".repeat(70_000) : "v" + r + "_" + c);
                }
                file.append(line).append('\n');
                if (r % 3 == 1) continue; // refused by the filter below
                expected.append(line);
                for (int c = cells; c < columns; c++) expected.append("\t\\N");
                expected.append('\n');
                kept++;
            }
            Path f = dir.resolve("p" + round + ".tsv");
            Files.writeString(f, file);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            long sent = TsvStage.padded(
                    f,
                    columns,
                    (line, from, to) -> {
                        String first = new String(line, from, to - from, StandardCharsets.UTF_8).split("\t")[0];
                        return Integer.parseInt(first.substring(1, first.indexOf('_'))) % 3 != 1;
                    },
                    out);
            assertThat(sent).isEqualTo(kept);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        }
        // long lines, no filter: only padding
        Path f = dir.resolve("long.tsv");
        Files.writeString(f, "a".repeat(200_000) + "\n" + "b\tc\n" + "d".repeat(70_000) + "\te\n");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(TsvStage.padded(f, 3, null, out)).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("a".repeat(200_000) + "\t\\N\t\\N\n" + "b\tc\t\\N\n" + "d".repeat(70_000) + "\te\t\\N\n");
    }
}
