package io.catchment.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.log.local.LocalLog;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's page with {@code duckdb.person_index}: the same events and properties as without it, for a person with
 * more rows of one kind than {@link PersonRows#CAP} (the page's rows read again by id) and for the pages after.
 */
class PersonRowsTest {
    @TempDir
    Path dir;

    private static Analytics analytics(DuckDbSink store) {
        return Fixture.analytics(store);
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_heavy_persons_page_has_every_events_properties_with_and_without_the_index() throws Exception {
        int mine = PersonRows.CAP + 300;
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 24, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
            for (int i = 0; i < mine + 3000; i++) {
                String user = i < mine ? "heavy" : "other" + i;
                String event = i % 7 == 0 ? "Ordered" : "Viewed";
                b.write(("{\"id\":\"e" + i + "\",\"event\":\"" + event + "\",\"user_id\":\"" + user
                                + "\",\"timestamp\":\"" + t0.plusSeconds(i * 37L % 100_000)
                                + "\",\"properties\":{\"n\":"
                                + i + "}}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            Fixture.load(log, store, b.toString(StandardCharsets.UTF_8), 1);
            Analytics plain = analytics(store);
            Analytics indexed = analytics(store);
            store.indexPeople();
            indexed.personIndex(true);
            String before = null;
            for (int page = 0; page < 3; page++) {
                Map<String, Object> want = plain.userEvents("heavy", 100, before);
                Map<String, Object> got = indexed.userEvents("heavy", 100, before);
                List<Map<String, Object>> events = (List<Map<String, Object>>) got.get("events");
                assertThat(events).hasSize(100);
                assertThat(events)
                        .allSatisfy(e -> assertThat(e.get("properties"))
                                .as(e.get("id") + " has its properties")
                                .isNotNull());
                assertThat(got.toString()).isEqualTo(want.toString());
                before = (String) got.get("next");
            }
        }
    }
}
