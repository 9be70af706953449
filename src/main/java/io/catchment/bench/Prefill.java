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
 * the timed load, as a restarted server would find it (the duplicate check builds its id sets when the store opens).
 */
final class Prefill {
    private Prefill() {}

    /** The generated events' first second: {@link EventGenerator} starts there, 37 ms apart. */
    static final long FIRST = 1_700_000_000L;

    private static final long CHUNK = 5_000_000;

    /**
     * Prefills the store; {@code seed} is a generated event (canonical NDJSON) that goes through a loader first, with
     * its id changed, so that {@code events} has the loader's own columns (and in ClickHouse its engine, sorting key and
     * column comments) before the rest arrive by {@code INSERT … SELECT} in the store. Without it the timed load's
     * first batch added the generated events' columns to every prefilled row ({@code ALTER TABLE ADD COLUMN}, which
     * DuckDB fills in memory until the next checkpoint: 50M rows ran it out of memory).
     */
    static void run(Sink sink, long n, int days, long generated, String seed, Path work) throws Exception {
        long t0 = System.nanoTime();
        long[] span = span(n, days, generated);
        try (LocalLog log = new LocalLog(work.resolve("prefill-log"), 1 << 20, 64 << 20, Duration.ZERO)) {
            log.append((seed.replaceFirst("\"id\":\"[^\"]*\"", "\"id\":\"prefill-seed\"") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            // its own consumer: the timed load's loader reads its offset from the store
            Loader loader = new Loader(
                    log,
                    sink,
                    new Metrics(),
                    1000,
                    Duration.ofMillis(50),
                    1000,
                    1000,
                    new io.catchment.schema.Router(),
                    "prefill");
            loader.start();
            while (loader.position() < log.endOffset()) Thread.sleep(10);
            loader.close();
        }
        boolean ch = sink.dialect() == Sink.Dialect.CLICKHOUSE;
        for (long start = 0; start < n - 1; start += CHUNK) {
            long end = Math.min(n - 1, start + CHUNK);
            String time = ch
                    ? "toDateTime(" + span[0] + " + intDiv(number * " + span[1] + ", " + n + "), 'UTC')"
                    : "to_timestamp(" + span[0] + " + i * " + span[1] + " // " + n + ")";
            String id = ch ? "concat('prefill-', toString(number))" : "'prefill-' || i";
            String user = ch ? "concat('user-', toString(number % 100000))" : "'user-' || (i % 100000)";
            String rows = ch
                    ? " FROM system.numbers LIMIT " + start + ", " + (end - start)
                    : " FROM range(" + start + ", " + end + ") AS t(i)";
            // in time order, as a loader would have written them
            sink.upgrade(List.of("INSERT INTO events (id, type, event, user_id, \"timestamp\", received_at, source) "
                            .replace("\"", ch ? "`" : "\"")
                    + "SELECT " + id + ", 'track', 'Prefilled', " + user + ", " + time + ", " + time + ", 'prefill'"
                    + rows));
        }
        System.out.printf(
                "prefilled %,d events over %d day(s) from %s in %.1f s%n",
                n, days, Instant.ofEpochSecond(span[0]), (System.nanoTime() - t0) / 1e9);
    }

    /** The first second and the seconds the prefilled events span. */
    private static long[] span(long n, int days, long generated) {
        long last = FIRST + generated * 37 / 1000;
        long span = days <= 1 ? Math.max(1, last - FIRST) : days * 86_400L;
        return new long[] {days <= 1 ? FIRST : last - span, span};
    }
}
