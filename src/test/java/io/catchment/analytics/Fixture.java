package io.catchment.analytics;

import io.catchment.config.Layout;
import io.catchment.loader.Loader;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** The analytics tests' shared parts: a layer on a store in UTC, and events loaded through the real loader. */
final class Fixture {
    private Fixture() {}

    static Analytics analytics(Sink store, Clock clock) {
        return new Analytics(
                store, Layout.PER_EVENT, ZoneOffset.UTC, 100_000, Duration.ofSeconds(30), Supplier::get, clock);
    }

    static Analytics analytics(Sink store) {
        return analytics(store, Clock.systemUTC());
    }

    /** Appends {@code ndjson} to the log as its record number {@code record} and loads it (waits up to a minute). */
    static void load(LocalLog log, Sink store, String ndjson, long record) throws Exception {
        log.append(ndjson.getBytes(StandardCharsets.UTF_8));
        Loader loader = new Loader(log, store, new Metrics(), 100_000, Duration.ofMillis(20), 1000, 1000);
        loader.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loader.position() < record && System.nanoTime() < deadline) Thread.sleep(20);
        loader.close();
    }
}
