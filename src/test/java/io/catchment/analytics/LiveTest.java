package io.catchment.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.catchment.log.local.LocalLog;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tail finds the time of the limit-th newest event first and then reads the rows from that time on: the
 * same newest events as a sort of them all, whichever of its look-back windows has enough, with ties at that time
 * (several events in the same microsecond, ordered by id) and with a filter.
 */
class LiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-10T12:00:00Z");

    @TempDir
    Path dir;

    private record Ev(String id, String event, Instant at) {}

    @Test
    @SuppressWarnings("unchecked")
    void the_newest_events_whichever_window_holds_them() throws Exception {
        List<Ev> all = new ArrayList<>();
        Duration[] ago = {Duration.ofMinutes(5), Duration.ofHours(3), Duration.ofDays(10), Duration.ofDays(700)};
        int n = 0;
        for (Duration back : ago) {
            for (int i = 0; i < 30; i++, n++) {
                // three events share each microsecond: the limit-th newest often has a twin on either side
                Instant at = NOW.minus(back).minusNanos((i / 3) * 1_234_567_000L + 123_456_000L + 789_000L);
                all.add(new Ev("e" + n, n % 2 == 0 ? "A" : "B", at));
            }
        }
        StringBuilder nd = new StringBuilder();
        for (Ev e : all)
            nd.append("{\"id\":\"")
                    .append(e.id())
                    .append("\",\"event\":\"")
                    .append(e.event())
                    .append("\",\"user_id\":\"u\",\"timestamp\":\"")
                    .append(e.at())
                    .append("\"}\n");
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 24, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            Fixture.load(log, store, nd.toString(), 1);
            Analytics a = Fixture.analytics(store, Clock.fixed(NOW, ZoneOffset.UTC));
            // the store's own form of a time parses (else the tail would read whole windows: right, but slow)
            Object printed = store.query("SELECT max(\"timestamp\") FROM events", 1, Duration.ofSeconds(30))
                    .rows()
                    .get(0)
                    .get(0);
            Instant newestAt = all.stream().map(Ev::at).max(Instant::compareTo).orElseThrow();
            assertThat(Live.atOrBefore(printed, null))
                    .as(String.valueOf(printed))
                    .isEqualTo(newestAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            Comparator<Ev> newest =
                    Comparator.comparing(Ev::at).thenComparing(Ev::id).reversed();
            for (String filter : new String[] {null, "A"}) {
                for (int limit : new int[] {1, 2, 3, 4, 29, 30, 31, 45, 60, 61, 90, 119, 120, 500}) {
                    List<String> want = all.stream()
                            .filter(e -> filter == null || e.event().equals(filter))
                            .sorted(newest)
                            .limit(limit)
                            .map(Ev::id)
                            .toList();
                    String body = "{\"limit\":" + limit + (filter == null ? "" : ",\"event\":\"" + filter + "\"") + "}";
                    Map<String, Object> got = a.live(JSON.readTree(body));
                    List<String> ids = ((List<Map<String, Object>>) got.get("events"))
                            .stream().map(e -> String.valueOf(e.get("id"))).toList();
                    assertThat(ids).as(body).containsExactlyElementsOf(want);
                }
            }
        }
    }

    @Test
    void a_stores_time_becomes_a_lower_bound_to_the_second() {
        Instant other = Instant.EPOCH;
        assertThat(Live.atOrBefore("2023-11-15T01:27:34.123456Z", other))
                .isEqualTo(Instant.parse("2023-11-15T01:27:34Z"));
        assertThat(Live.atOrBefore("2023-11-15 01:27:34", other)).isEqualTo(Instant.parse("2023-11-15T01:27:34Z"));
        assertThat(Live.atOrBefore("2023-11-15 01:27:34.5+01:00", other))
                .isEqualTo(Instant.parse("2023-11-15T00:27:34Z"));
        assertThat(Live.atOrBefore(java.time.OffsetDateTime.parse("2023-11-15T01:27:34.9Z"), other))
                .isEqualTo(Instant.parse("2023-11-15T01:27:34Z"));
        assertThat(Live.atOrBefore("yesterday", other)).isEqualTo(other);
        assertThat(Live.atOrBefore(null, other)).isEqualTo(other);
    }
}
