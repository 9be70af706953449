package io.catchment.bench;

import io.catchment.sink.Sink;
import java.time.Instant;
import java.util.List;

/**
 * {@code bench-loader --prefill N}: N events already stored before a load, so that the cost of checking a batch
 * against what is stored shows. They go into {@code events} (the table the duplicate check reads), with ids the
 * generated events never use, spread evenly over {@code days} days that end with the generated events' last day
 * ({@code days} 1: all on the generated events' own days).
 */
final class Prefill {
    private Prefill() {}

    /** The generated events' first second: {@link EventGenerator} starts there, 37 ms apart. */
    static final long FIRST = 1_700_000_000L;

    static void duckdb(Sink sink, long n, int days, long generated) throws Exception {
        long last = FIRST + generated * 37 / 1000;
        long span = days <= 1 ? Math.max(1, last - FIRST) : days * 86_400L;
        long from = days <= 1 ? FIRST : last - span;
        long t0 = System.nanoTime();
        sink.upgrade(List.of("CREATE TABLE IF NOT EXISTS events (id VARCHAR, type VARCHAR, event VARCHAR, user_id "
                + "VARCHAR, anonymous_id VARCHAR, \"timestamp\" TIMESTAMPTZ, sent_at TIMESTAMPTZ, received_at "
                + "TIMESTAMPTZ, source VARCHAR, loaded_at TIMESTAMPTZ DEFAULT now())"));
        long chunk = 5_000_000;
        for (long start = 0; start < n; start += chunk) {
            long end = Math.min(n, start + chunk);
            // in time order, as a loader would have written them
            sink.upgrade(List.of("INSERT INTO events (id, type, event, user_id, \"timestamp\", sent_at, received_at, "
                    + "source) SELECT 'prefill-' || i, 'track', 'Prefilled', 'user-' || (i % 100000), to_timestamp("
                    + from + " + i * " + span + " // " + n + "), to_timestamp(" + from + " + i * " + span + " // " + n
                    + "), to_timestamp(" + from + " + i * " + span + " // " + n + "), 'prefill' FROM range(" + start
                    + ", " + end + ") AS t(i)"));
        }
        sink.reloadCatalog();
        System.out.printf(
                "prefilled %,d events over %d day(s) from %s in %.1f s%n",
                n, days, Instant.ofEpochSecond(from), (System.nanoTime() - t0) / 1e9);
    }
}
