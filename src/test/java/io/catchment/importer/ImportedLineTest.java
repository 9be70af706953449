package io.catchment.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ImportedLineTest {
    private static List<ImportedLine> read(String ndjson) throws Exception {
        JsonLines r =
                new JsonLines(new ByteArrayInputStream(ndjson.getBytes(StandardCharsets.UTF_8)), 0, new AtomicLong());
        List<ImportedLine> out = new ArrayList<>();
        while (r.next()) out.add(ImportedLine.read(r, null, "import", Instant.parse("2024-05-01T12:00:00Z")));
        return out;
    }

    @Test
    void a_line_nested_too_deep_once_normalised_is_a_dead_line_and_the_import_goes_on() throws Exception {
        // found by fuzzing: writing the event threw, and the import stopped
        List<ImportedLine> lines =
                read("{\"event\":\"a\",\"x\":" + "[".repeat(999) + "]".repeat(999) + "}\n{\"event\":\"b\"}\n");
        assertThat(lines.get(0).problem()).startsWith("once normalised: Document nesting depth (1001)");
        assertThat(new String(lines.get(1).json(), StandardCharsets.UTF_8)).contains("\"event\":\"b\"");
    }

    @Test
    void invalid_json_numbers_no_decimal_holds_and_refused_events_are_dead_lines() throws Exception {
        List<ImportedLine> lines = read("not json\n{\"event\":\"a\",\"n\":" + "1".repeat(1001) + "}\n"
                + "{\"event\":\"a\",\"n\":0.4e006699999999999999999999}\n{\"type\":\"nope\"}\n[1]\n");
        assertThat(lines)
                .extracting(ImportedLine::problem)
                .allSatisfy(p -> assertThat(p).isNotBlank());
        assertThat(lines.get(1).problem()).startsWith("invalid JSON: Number value length (1001)");
    }

    @Test
    void a_line_starting_with_nuls_that_jackson_takes_for_utf32_is_a_dead_line_and_the_import_goes_on()
            throws Exception {
        // found by fuzzing: CharConversionException is an IOException but no JsonProcessingException, and it stopped
        // the import
        List<ImportedLine> lines = read("\u0000\u0000\u0000{\"ssr\":1}\n{\"event\":\"b\"}\n");
        assertThat(lines.get(0).problem()).startsWith("invalid JSON: Invalid UTF-32 character");
        assertThat(lines.get(1).json()).isNotNull();
    }
}
