package io.catchment.bench;

import io.catchment.event.EventJson;
import io.catchment.format.NativeFormat;
import io.catchment.log.local.LocalLog;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Fills {@code bench-loader}'s log with generated events as the collector writes them (canonical JSON, 100 events a
 * record, 8 generator threads), and the same events as NDJSON for the baseline. With a second log, also writes the
 * same events there with every {@code refusedEvery}-th one made into an event the store refuses ({@link #refused}), so
 * that a clean and a refused stream of the same events can be loaded in the same run.
 */
final class LogFill {
    /**
     * What the refused events carry: a lone surrogate escape inside an array, valid JSON to our parser that DuckDB's
     * JSON type refuses ("Could not convert string ... to 'JSON'"). The collector writes U+FFFD instead, so a live
     * stream meets it only from a log written by hand or by an older version; here it stands for any value the
     * store's column cannot take.
     */
    static final String REFUSED_PROPERTY = "\"refused_by_store\":[\"\\udcbf\"]";

    private static final byte[] PROPERTIES = "\"properties\":{".getBytes(StandardCharsets.US_ASCII);
    private static final int PER_RECORD = 100;
    private static final int THREADS = 8;

    private LogFill() {}

    /**
     * Writes {@code events} events from {@code generators} (one per thread, by seed) to {@code log} and {@code raw};
     * to {@code refusedLog} too when it is not null, every {@code refusedEvery}-th event of it refused.
     */
    static void fill(
            int events,
            IntFunction<Batches> generators,
            LocalLog log,
            OutputStream raw,
            LocalLog refusedLog,
            int refusedEvery)
            throws Exception {
        int records = (events + PER_RECORD - 1) / PER_RECORD;
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < THREADS; w++) {
            int worker = w;
            done.add(pool.submit(() -> {
                Batches gen = generators.apply(worker + 1);
                for (int r = worker; r < records; r += THREADS) {
                    int n = Math.min(PER_RECORD, events - r * PER_RECORD);
                    byte[] body = gen.batch(n).getBytes(StandardCharsets.UTF_8);
                    var parsed = NativeFormat.split(body, 1 << 20);
                    ByteArrayOutputStream rec = new ByteArrayOutputStream(body.length + 4096);
                    ByteArrayOutputStream bad = new ByteArrayOutputStream(refusedLog == null ? 0 : body.length + 4096);
                    Instant now = Instant.now();
                    for (int i = 0; i < n; i++) {
                        ByteArrayOutputStream one = new ByteArrayOutputStream(1024);
                        EventJson.write(NativeFormat.toEvent(parsed.events().get(i), i, "bench", now), one);
                        byte[] line = one.toByteArray();
                        rec.write(line);
                        rec.write('\n');
                        if (refusedLog == null) continue;
                        long index = (long) r * PER_RECORD + i;
                        bad.write(index % refusedEvery == refusedEvery - 1 ? refused(line) : line);
                        bad.write('\n');
                    }
                    byte[] bytes = rec.toByteArray();
                    log.append(bytes);
                    if (refusedLog != null) refusedLog.append(bad.toByteArray());
                    synchronized (raw) {
                        raw.write(bytes);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
    }

    /** The canonical event {@code line} with {@link #REFUSED_PROPERTY} first among its properties (added if none). */
    static byte[] refused(byte[] line) {
        int at = indexOf(line, PROPERTIES);
        String text = new String(line, StandardCharsets.UTF_8);
        if (at < 0) {
            // no properties: they go last, before the closing brace
            return (text.substring(0, text.length() - 1) + ",\"properties\":{" + REFUSED_PROPERTY + "}}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        int open = new String(line, 0, at + PROPERTIES.length, StandardCharsets.UTF_8).length();
        boolean empty = text.charAt(open) == '}';
        return (text.substring(0, open) + REFUSED_PROPERTY + (empty ? "" : ",") + text.substring(open))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int j = 0; j < b.length; j++) if (a[i + j] != b[j]) continue outer;
            return i;
        }
        return -1;
    }
}
