package io.catchment.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import io.catchment.log.local.LocalLog;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trends answered through the {@link BucketCache} are the answers of the same request without it, after every kind of
 * change: a late event on a past day, a link that merges two people active on a past day, a new day's events and a
 * retention delete; and only the buckets whose days changed are computed again (a rolling series: the days after a
 * change within its window too).
 */
class BucketCacheTest {
    @TempDir
    Path dir;

    private LocalLog log;
    private DuckDbSink store;
    private int loaded;

    @BeforeEach
    void open() throws Exception {
        log = new LocalLog(dir.resolve("log"), 1 << 24, 1 << 30, Duration.ZERO);
        store = new DuckDbSink(dir, "256MB", "16MB");
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        log.close();
    }

    private void load(String... events) throws Exception {
        Fixture.load(log, store, String.join("\n", events) + "\n", ++loaded);
    }

    private static String event(String id, String day, String user, String anonymous) {
        return "{\"id\":\"" + id + "\",\"event\":\"Viewed\",\"timestamp\":\"2024-05-" + day + "T12:00:00Z\""
                + (user == null ? "" : ",\"user_id\":\"" + user + "\"")
                + (anonymous == null ? "" : ",\"anonymous_id\":\"" + anonymous + "\"") + "}";
    }

    private Analytics analytics(int series) {
        Analytics a = Fixture.analytics(store, Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC));
        a.cacheSeries(series);
        return a;
    }

    private static Map<String, Object> report(Analytics a, String measure) throws Exception {
        JsonNode body = EventJson.MAPPER.readTree("{\"series\":[{\"type\":\"any\",\"measure\":\"" + measure
                + "\"}],\"from\":\"2024-05-01\",\"to\":\"2024-05-10\"}");
        return a.report("trends", body);
    }

    private void same(Analytics cached, String measure) throws Exception {
        assertThat(report(cached, measure).toString())
                .as(measure)
                .isEqualTo(report(analytics(0), measure).toString());
    }

    @Test
    void kept_answers_follow_every_change_and_only_changed_days_are_computed_again() throws Exception {
        load(
                event("a1", "01", "u1", null),
                event("a2", "02", "u1", null),
                event("a3", "02", null, "anon-1"),
                event("a4", "02", "u2", null),
                event("a5", "05", "u2", null));
        Analytics a = analytics(16);
        same(a, "dau");
        assertThat(a.cache.lastComputed()).isEqualTo(10);
        same(a, "dau");
        assertThat(a.cache.lastComputed()).as("nothing changed").isZero();
        same(a, "wau");

        // a late event on the 3rd: that day only
        load(event("b1", "03", "u3", null));
        same(a, "dau");
        assertThat(a.cache.lastComputed()).isEqualTo(1);
        // the rolling week: the 3rd and the six days after it within the range
        same(a, "wau");
        assertThat(a.cache.lastComputed()).isEqualTo(7);

        // anon-1 turns out to be u1 (a login on the 8th): the 2nd counts two people instead of three
        Map<String, Object> before = report(a, "dau");
        load(event("c1", "08", "u1", "anon-1"));
        same(a, "dau");
        // the 2nd and the 8th changed: computed from the first to the last of them
        assertThat(a.cache.lastComputed()).isEqualTo(7);
        assertThat(report(a, "dau").toString()).isNotEqualTo(before.toString());

        // one row deleted (the 1st's, by retention) and one added (a late event on the 4th): the range's total is the
        // same, and both days must still be seen to change
        load(event("d1", "04", "u4", null));
        store.expire("events", Instant.parse("2024-05-02T00:00:00Z"));
        store.expire("viewed", Instant.parse("2024-05-02T00:00:00Z"));
        same(a, "total");
        same(a, "dau");

        // a retention delete of the 1st and 2nd
        store.expire("events", Instant.parse("2024-05-03T00:00:00Z"));
        store.expire("viewed", Instant.parse("2024-05-03T00:00:00Z"));
        same(a, "dau");
        same(a, "total");
        assertThat(report(a, "total").toString()).contains("2024-05-02T00:00Z, 0]");
    }
}
