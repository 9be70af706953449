package io.catchment.bench;

import io.catchment.loader.Loader;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code bench-loader --prefill N}: N events already stored before a load, so that the cost of checking a batch
 * against what is stored shows. They go into {@code events} (the table the duplicate check reads), with ids the
 * generated events never use, spread evenly over {@code days} days that end with the generated events' last day
 * ({@code days} 1: all on the generated events' own days). The caller closes the store after it and opens it again for
 * the timed load, as a restarted server would find it: DuckDB writes the rows out at close instead of inside the first
 * timed batch (BENCHMARKS.md, session 12), and the duplicate check builds its id sets when the store opens.
 */
final class Prefill {
    private Prefill() {}

    /** The generated events' first second: {@link EventGenerator} starts there, 37 ms apart. */
    static final long FIRST = 1_700_000_000L;

    private static final long CHUNK = 5_000_000;

    static void duckdb(Sink sink, long n, int days, long generated) throws Exception {
        long t0 = System.nanoTime();
        sink.upgrade(List.of("CREATE TABLE IF NOT EXISTS events (id VARCHAR, type VARCHAR, event VARCHAR, user_id "
                + "VARCHAR, anonymous_id VARCHAR, \"timestamp\" TIMESTAMPTZ, sent_at TIMESTAMPTZ, received_at "
                + "TIMESTAMPTZ, source VARCHAR, loaded_at TIMESTAMPTZ DEFAULT now())"));
        long[] span = span(n, days, generated);
        for (long start = 0; start < n; start += CHUNK) {
            String time = "to_timestamp(" + span[0] + " + i * " + span[1] + " // " + n + ")";
            // in time order, as a loader would have written them
            sink.upgrade(List.of("INSERT INTO events (id, type, event, user_id, \"timestamp\", sent_at, received_at, "
                    + "source) SELECT 'prefill-' || i, 'track', 'Prefilled', 'user-' || (i % 100000), " + time + ", "
                    + time + ", " + time + ", 'prefill' FROM range(" + start + ", " + Math.min(n, start + CHUNK)
                    + ") AS t(i)"));
        }
        sink.reloadCatalog();
        report(n, days, span[0], t0);
    }

    /**
     * The same for ClickHouse: one event goes through a loader first, so that {@code events} has the loader's own
     * engine, sorting key and column comments; then the rest by {@code INSERT … SELECT} in the server.
     */
    static void clickhouse(Sink sink, long n, int days, long generated, Path work) throws Exception {
        long t0 = System.nanoTime();
        long[] span = span(n, days, generated);
        String at = Instant.ofEpochSecond(span[0]).toString();
        try (LocalLog log = new LocalLog(work.resolve("prefill-log"), 1 << 20, 64 << 20, Duration.ZERO)) {
            log.append(("{\"id\":\"prefill-seed\",\"type\":\"track\",\"event\":\"Prefilled\",\"user_id\":\"user-0\","
                            + "\"timestamp\":\"" + at + "\",\"received_at\":\"" + at + "\",\"source\":\"prefill\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            Loader loader = new Loader(log, sink, new Metrics(), 1000, Duration.ofMillis(50), 1000, 1000);
            loader.start();
            while (loader.position() < log.endOffset()) Thread.sleep(10);
            loader.close();
        }
        for (long start = 0; start < n - 1; start += CHUNK) {
            String time = "toDateTime(" + span[0] + " + intDiv(number * " + span[1] + ", " + n + "), 'UTC')";
            sink.upgrade(List.of("INSERT INTO events (id, type, event, user_id, `timestamp`, received_at, source) "
                    + "SELECT concat('prefill-', toString(number)), 'track', 'Prefilled', concat('user-', "
                    + "toString(number % 100000)), " + time + ", " + time + ", 'prefill' FROM system.numbers LIMIT "
                    + start + ", " + Math.min(CHUNK, n - 1 - start)));
        }
        report(n, days, span[0], t0);
    }

    /** The first second and the seconds the prefilled events span. */
    private static long[] span(long n, int days, long generated) {
        long last = FIRST + generated * 37 / 1000;
        long span = days <= 1 ? Math.max(1, last - FIRST) : days * 86_400L;
        return new long[] {days <= 1 ? FIRST : last - span, span};
    }

    private static void report(long n, int days, long from, long t0) {
        System.out.printf(
                "prefilled %,d events over %d day(s) from %s in %.1f s%n",
                n, days, Instant.ofEpochSecond(from), (System.nanoTime() - t0) / 1e9);
    }
}
