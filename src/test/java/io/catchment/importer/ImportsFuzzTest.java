package io.catchment.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import io.catchment.testing.Mutations;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzz targets for {@code catchment import}'s readers: NDJSON framing ({@link LineReader}, {@link JsonLines}) with
 * each line's mapping ({@link ImportedLine}), and the archive readers ({@link Archives}: zip, gz, zst, nested).
 *
 * <p>The contract: a line becomes an event or a dead line, never an exception; the lines are exactly those a plain
 * split on {@code \n} gives (a {@code \r} before it dropped, blank ones skipped, bad UTF-8 as U+FFFD), each parsed
 * as reading it alone would; an archive yields its members or, damaged, an {@link IOException}, never another
 * exception, never a hang. Corpus and mutation sweep as in {@code SourcesFuzzTest}: docs/fuzzing.md.
 */
class ImportsFuzzTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final String[] NAMES = {"export.zip", "export.json.gz", "export.json.zst", "export.ndjson"};
    private static final long MAX_MEMBER_BYTES = 4 << 20;

    @FuzzTest(maxDuration = "1m")
    void ndjson_lines(byte[] input) throws IOException {
        List<byte[]> expected = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i < input.length && input[i] != '\n') continue;
            int end = i > start && input[i - 1] == '\r' ? i - 1 : i;
            if (i < input.length || start < input.length) expected.add(Arrays.copyOfRange(input, start, end));
            start = i + 1;
        }
        JsonLines r = new JsonLines(new ByteArrayInputStream(input), 0, new AtomicLong());
        int k = 0;
        while (r.next()) {
            while (k < expected.size() && isBlank(expected.get(k))) k++;
            assertThat(k).as("more lines than the input has").isLessThan(expected.size());
            String text = new String(expected.get(k), StandardCharsets.UTF_8);
            assertThat(r.lineNo()).isEqualTo(k + 1);
            assertThat(r.text()).isEqualTo(text);
            JsonNode alone = alone(text);
            ImportedLine line = ImportedLine.read(r, null, "import", NOW);
            assertThat(line.json() == null)
                    .as("exactly one of event and problem")
                    .isNotEqualTo(line.problem() == null);
            if (alone == null)
                assertThat(line.json())
                        .as("a line that is not JSON is a dead line")
                        .isNull();
            k++;
        }
        while (k < expected.size() && isBlank(expected.get(k))) k++;
        assertThat(k).as("every line read").isEqualTo(expected.size());
    }

    /** The tree of a line read alone, or null when it is not JSON; the same as JsonLines read it. */
    private static JsonNode alone(String text) {
        try {
            return EventJson.MAPPER.readTree(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '\f' && b != 0x0b) return false;
        }
        return true;
    }

    /** The first byte picks the file name (zip, gz, zst, plain), the rest is the file. */
    @FuzzTest(maxDuration = "1m")
    void archives(byte[] input) {
        String name = NAMES[input.length == 0 ? 3 : (input[0] & 0xff) % NAMES.length];
        InputStream in = new ByteArrayInputStream(input, Math.min(1, input.length), Math.max(0, input.length - 1));
        try {
            Archives.walk(name, in, (member, content) -> {
                assertThat(member).startsWith("export.");
                JsonLines r = new JsonLines(bounded(content), 0, new AtomicLong());
                while (r.next()) ImportedLine.read(r, null, "import", NOW);
            });
        } catch (IOException e) {
            // a damaged archive: the import stops naming it
        } catch (Enough e) {
            // a member decompressing past MAX_MEMBER_BYTES: read far enough
        }
    }

    private static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }

    private static InputStream bounded(InputStream in) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0 && (read += n) > MAX_MEMBER_BYTES) throw new Enough();
                return n;
            }
        };
    }

    @TestFactory
    List<DynamicTest> mutations_of_every_corpus_input_keep_the_contract() {
        return List.of(
                DynamicTest.dynamicTest(
                        "ndjson_lines",
                        () -> Mutations.sweep(
                                Mutations.corpus(ImportsFuzzTest.class, "ndjson_lines"),
                                1500,
                                Duration.ofSeconds(120),
                                this::ndjson_lines)),
                DynamicTest.dynamicTest(
                        "archives",
                        () -> Mutations.sweep(
                                Mutations.corpus(ImportsFuzzTest.class, "archives"),
                                1500,
                                Duration.ofSeconds(120),
                                this::archives)));
    }
}
