package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.log.EventLog;
import io.catchment.schema.Router;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchPreparerTest {
    @Test
    void an_id_repeats_only_on_the_same_utc_day() {
        Map<String, String> seen = new HashMap<>();
        assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T10:00:00Z")).isFalse();
        assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T23:59:59.999Z"))
                .isTrue();
        assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-02T00:00:00Z")).isFalse(); // another day: another event
        assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-02T08:00:00Z")).isTrue();
        assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T12:00:00Z")).isTrue();
        assertThat(BatchPreparer.seenBefore(seen, "b", "2024-05-01T10:00:00Z")).isFalse();
    }

    private static String event(String id, String props) {
        return "{\"id\":\"" + id + "\",\"type\":\"track\",\"event\":\"Played\",\"timestamp\":\"2024-05-01T10:00:00Z\","
                + "\"properties\":" + props + "}";
    }

    @Test
    void a_record_is_read_with_one_parser_and_odd_lines_are_read_alone(@TempDir Path dir) throws Exception {
        // line 2 ends with a second value and line 4 with blanks: the run's parser does not end where those lines do,
        // so they are read alone (as a parser per line always read them) and the lines after them start a new run
        String record = event("a", "{\"n\":1}") + "\n" + event("b", "{\"n\":2}") + " {\"x\":1}\n\n"
                + event("c", "{\"n\":3,\"tags\":[1,[2]]}") + "\n" + event("d", "{\"n\":4}") + "  \n" + event("e", "{}");
        try (DuckDbSink sink = new DuckDbSink(dir, "256MB", "16MB")) {
            BatchPreparer preparer = new BatchPreparer(sink, 1000, 1000, new Router());
            List<Line> lines = new java.util.ArrayList<>();
            BatchPreparer.addLines(new EventLog.LogRecord(0, record.getBytes(StandardCharsets.UTF_8)), lines);
            BatchPreparer.addLines(
                    new EventLog.LogRecord(1, (event("f", "{\"n\":6}") + "\n").getBytes(StandardCharsets.UTF_8)),
                    lines);
            assertThat(lines).hasSize(6);
            BatchPreparer.Prepared p = preparer.prepare(lines, "test", 2);
            assertThat(p.events()).isEqualTo(6);
            sink.write(p.batch());
            var rows = sink.query(
                            "SELECT id, properties_n, properties_tags FROM played ORDER BY id",
                            10,
                            Duration.ofSeconds(10))
                    .rows();
            assertThat(rows)
                    .extracting(r -> r.get(0) + "=" + r.get(1) + ":" + r.get(2))
                    .containsExactly("a=1:null", "b=2:null", "c=3:[1,[2]]", "d=4:null", "e=null:null", "f=6:null");
        }
    }
}
