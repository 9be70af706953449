package io.catchment.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    @Test
    void reads_the_lines_a_buffered_reader_reads() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 300; round++) {
            StringBuilder b = new StringBuilder();
            int lines = random.nextInt(0, 40);
            for (int i = 0; i < lines; i++) {
                int len = random.nextInt(8) == 0 ? random.nextInt(70_000, 200_000) : random.nextInt(0, 50);
                for (int k = 0; k < len; k++)
                    b.append(random.nextInt(10) == 0 ? "é" : random.nextInt(5) == 0 ? " " : "x");
                b.append(random.nextInt(4) == 0 ? "\r\n" : "\n");
            }
            if (random.nextBoolean()) b.append("last without newline");
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            List<String> expected = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) expected.add(l);
            }
            // a stream that hands out a few bytes at a time, so lines straddle reads
            InputStream trickle = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] buf, int off, int len) {
                    return super.read(buf, off, Math.min(len, 1 + random.nextInt(5000)));
                }
            };
            LineReader r = new LineReader(trickle);
            List<String> got = new ArrayList<>();
            while (r.next()) {
                got.add(r.text());
                assertThat(r.blank()).isEqualTo(r.text().isBlank());
            }
            assertThat(got).as("round %d", round).isEqualTo(expected);
        }
    }
}
