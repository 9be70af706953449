package io.catchment.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonLinesTest {
    /** What reading each line alone gives: the tree's text, or the error's class. */
    private static String alone(String line) {
        try {
            JsonNode n = EventJson.MAPPER.readTree(line.getBytes(StandardCharsets.UTF_8));
            return String.valueOf(n);
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    @Test
    void reads_every_line_as_reading_it_alone_would() throws Exception {
        String[] kinds = {
            "{\"a\":1,\"k%d\":\"v\"}",
            "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
            "",
            "   ",
            "not json",
            "{\"a\":1} trailing",
            "{\"a\":",
            "null",
            "[1,2]",
            "{\"s\":\"é \\\"q\\\" \\u00e9\"}",
            "{\"a\":1}{\"b\":2}",
            "\"str\"",
            "{\"big\":\"%s\"}"
        };
        SplittableRandom random = new SplittableRandom(4);
        for (int round = 0; round < 40; round++) {
            List<String> lines = new ArrayList<>();
            int n = random.nextInt(0, 3000);
            for (int i = 0; i < n; i++) {
                String k = kinds[random.nextInt(kinds.length)];
                lines.add(
                        k.contains("%s")
                                ? k.replace("%s", "x".repeat(random.nextInt(1, 300_000)))
                                : k.replace("%d", Integer.toString(random.nextInt(20_000))));
            }
            long resume = random.nextInt(4) == 0 ? random.nextInt(0, n + 2) : 0;
            List<String> expected = new ArrayList<>();
            long expectedSkipped = 0;
            // a stream ending in a newline has no empty line after it (as BufferedReader reads it)
            int inStream = n > 0 && lines.get(n - 1).isEmpty() ? n - 1 : n;
            for (int i = 0; i < inStream; i++) {
                if (i + 1 <= resume) {
                    expectedSkipped++;
                } else if (!lines.get(i).isBlank()) {
                    expected.add((i + 1) + " " + alone(lines.get(i)));
                }
            }
            AtomicLong skipped = new AtomicLong();
            JsonLines r = new JsonLines(
                    new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)),
                    resume,
                    skipped);
            List<String> got = new ArrayList<>();
            while (r.next()) {
                String v;
                try {
                    v = String.valueOf(r.tree());
                } catch (Exception e) {
                    v = e.getClass().getSimpleName();
                }
                got.add(r.lineNo() + " " + v);
                assertThat(r.text()).isEqualTo(lines.get((int) r.lineNo() - 1));
            }
            assertThat(got).as("round %d", round).isEqualTo(expected);
            assertThat(skipped.get()).isEqualTo(expectedSkipped);
            assertThat(r.linesRead()).isEqualTo(inStream);
        }
    }
}
