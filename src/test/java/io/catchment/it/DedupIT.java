package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Exact deduplication by (id, UTC day of timestamp), against a real server and store. */
@Timeout(300)
class DedupIT {
    static final int EVENTS = 100_000;
    static final int BATCH = 500;

    @TempDir
    Path tmp;

    private static String event(int i) {
        // 100k events over ~3 days, so batches straddle day boundaries
        Instant t = Instant.parse("2024-03-01T00:00:00Z").plusSeconds(i * 3L);
        return "{\"id\":\"dedup-" + i + "\",\"event\":\"" + (i % 3 == 0 ? "Signed Up" : "Order Completed")
                + "\",\"userId\":\"u" + (i % 100) + "\",\"timestamp\":\"" + t + "\",\"properties\":{\"n\":" + i
                + "}}\n";
    }

    private static String batch(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) b.append(event(i));
        return b.toString();
    }

    private static void post(ServerProcess s, String body) throws Exception {
        Http.Reply r = Http.post(s.url("/v1/events"), ServerProcess.WRITE_KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void the_same_events_sent_three_ways_are_stored_exactly_once() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerProcess s = new ServerProcess(data).start()) {
            // 1. client retries: every batch sent twice in a row
            for (int from = 0; from < EVENTS; from += BATCH) {
                String body = batch(from, from + BATCH);
                post(s, body);
                post(s, body);
            }
            // 2. duplicate batches: re-batched differently, and an event twice within one request
            for (int from = 250; from < EVENTS; from += 10 * BATCH) {
                post(s, batch(from, Math.min(EVENTS, from + BATCH)) + event(from));
            }
            // 3. crash mid-load, then everything again
            s.kill();
        }
        try (ServerProcess s = new ServerProcess(data).start()) {
            for (int from = 0; from < EVENTS; from += 4 * BATCH)
                post(s, batch(from, Math.min(EVENTS, from + 4 * BATCH)));
            assertThat(Http.eventually(
                            Duration.ofSeconds(60),
                            () -> Http.get(s.url("/readyz"))
                                            .json()
                                            .path("loader_lag_records")
                                            .asLong()
                                    == 0))
                    .isTrue();
            JsonNode events = Http.sql(
                            s.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*), count(DISTINCT id) FROM events")
                    .get(0);
            assertThat(events.get(0).asLong()).isEqualTo(EVENTS);
            assertThat(events.get(1).asLong()).isEqualTo(EVENTS);
            JsonNode perEvent = Http.sql(
                            s.url(""),
                            ServerProcess.ADMIN_KEY,
                            "SELECT (SELECT count(*) FROM signed_up) + (SELECT count(*) FROM order_completed)")
                    .get(0);
            assertThat(perEvent.get(0).asLong()).isEqualTo(EVENTS);
            assertThat(Http.get(s.url("/metrics")).body()).contains("catchment_rows_duplicate_total");
        }
    }

    @Test
    void the_window_is_the_utc_day_of_the_event_timestamp() throws Exception {
        try (ServerProcess s = new ServerProcess(tmp.resolve("data")).start()) {
            List<String> sends = new ArrayList<>();
            sends.add("{\"id\":\"edge\",\"event\":\"Edge\",\"timestamp\":\"2024-05-01T23:59:59.999Z\"}");
            sends.add("{\"id\":\"edge\",\"event\":\"Edge\",\"timestamp\":\"2024-05-01T00:00:00Z\"}"); // same day:
            // duplicate
            sends.add("{\"id\":\"edge\",\"event\":\"Edge\",\"timestamp\":\"2024-05-02T00:00:00Z\"}"); // next day: kept
            sends.add("{\"id\":\"edge\",\"event\":\"Edge\",\"timestamp\":\"2024-05-02T01:00:00+02:00\"}"); // 23:00Z on
            // the 1st
            for (String e : sends) {
                post(s, e);
                // loaded before the next is sent: separate loader batches, so the store-side check is what decides
                Http.caughtUp(s.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(10));
            }
            assertThat(Http.eventually(
                            Duration.ofSeconds(10),
                            () -> Http.sql(s.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*) FROM edge")
                                            .get(0)
                                            .get(0)
                                            .asInt()
                                    == 2))
                    .isTrue();
            Http.caughtUp(s.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(10));
            JsonNode rows = Http.sql(
                    s.url(""),
                    ServerProcess.ADMIN_KEY,
                    "SELECT CAST(\"timestamp\" AS DATE)::VARCHAR, count(*) FROM edge GROUP BY 1 ORDER BY 1");
            assertThat(rows.toString()).isEqualTo("[[\"2024-05-01\",1],[\"2024-05-02\",1]]");
            assertThat(Http.sql(s.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*) FROM events WHERE id = 'edge'")
                            .get(0)
                            .get(0)
                            .asInt())
                    .isEqualTo(2);
        }
    }
}
