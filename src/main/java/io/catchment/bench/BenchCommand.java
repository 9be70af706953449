package io.catchment.bench;

import io.catchment.config.StoreSettings;
import io.catchment.loader.Loader;
import io.catchment.log.local.LocalLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code catchment bench-loader}: fills a fresh log with generated events as the collector would, times the loader
 * draining it into a fresh DuckDB store, then times DuckDB's own {@code read_json} loading the same events into one
 * table ({@link Baselines}), and prints both rates and their ratio.
 */
@Command(
        name = "bench-loader",
        mixinStandardHelpOptions = true,
        description = {"Benchmark the loader (log -> DuckDB) against DuckDB's own read_json on the same events."})
public final class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            description = "events to generate (default: ${DEFAULT-VALUE})",
            defaultValue = "1000000")
    int events;

    @Option(
            names = "--batch-events",
            description = "loader batch size (default: ${DEFAULT-VALUE})",
            defaultValue = "100000")
    int batchEvents;

    @Option(
            names = "--duckdb-threads",
            description = "DuckDB's worker threads for the loader's store (default: DuckDB's, one per core)",
            defaultValue = "0")
    int duckdbThreads;

    @Option(
            names = "--dedup",
            description = "on, off, or both (one loader run each, same events) (default: ${DEFAULT-VALUE})",
            defaultValue = "on")
    String dedup;

    @Option(
            names = "--warmup",
            description = "loader runs before the measured ones, printed but not counted: the JIT "
                    + "compiles the loader's code during the first million events or so, which a loader running for days pays once "
                    + "(default: ${DEFAULT-VALUE})",
            defaultValue = "0")
    int warmup;

    @Option(names = "--mixed", description = "schema churn: new fields over time and 1%% type conflicts")
    boolean mixed;

    @Option(
            names = "--real-shaped",
            description =
                    "events shaped like real ones: 16 types of 100-500 fields nested up "
                            + "to 7 levels, arrays of objects, multi-line CRLF text with emoji, 1%% of numbers sent as text, ~2.3 KB each")
    boolean realShaped;

    @Option(
            names = "--new-field-every",
            description = "with --mixed, each of the 8 generators adds a field every N "
                    + "events: 250 gives 500 new columns per 1M events, 2000 gives 62 (default: ${DEFAULT-VALUE})",
            defaultValue = "250")
    int newFieldEvery;

    @Option(
            names = "--clickhouse",
            paramLabel = "URL",
            description =
                    "load into ClickHouse at URL (a new database "
                            + "per run) instead of DuckDB; the baseline is then ClickHouse's own INSERT ... FORMAT JSONEachRow of the same rows into the same tables")
    String clickhouse;

    @Option(
            names = "--clickhouse-pid",
            paramLabel = "PID",
            description = "the local ClickHouse server's PID: each "
                    + "phase then prints the CPU seconds ClickHouse used besides this JVM's (read from /proc)")
    long clickhousePid;

    @Option(
            names = "--prefill",
            description = "events already in the store before each load: spread over --prefill-days days that "
                    + "end with the generated events' last day (default: ${DEFAULT-VALUE})",
            defaultValue = "0")
    long prefill;

    @Option(
            names = "--prefill-days",
            description = "days the prefilled events span; 1 puts them all on the generated events' days "
                    + "(default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    int prefillDays;

    @Option(
            names = "--refused-every",
            paramLabel = "N",
            description = "also load the same events with every N-th one refused by the store (a value its JSON "
                    + "column cannot take), alternating clean and refused runs, and print the refused/clean ratio")
    int refusedEvery;

    @Option(names = "--dir", description = "work directory (default: a new temp dir, deleted after)")
    Path dir;

    private long rawBytes;
    private String lastDatabase;
    private long stored; // events the next runLoader prefills
    private String logName = "log"; // the log the next runLoader loads
    private static final String REFUSED_LOG = "log-refused";
    private CpuClock cpu;
    private Baselines baselines;

    @Override
    public Integer call() throws Exception {
        cpu = new CpuClock(clickhousePid, "ClickHouse");
        baselines = new Baselines(clickhouse, cpu, events);
        boolean temp = dir == null;
        Path work = temp ? Files.createTempDirectory("catchment-bench") : Files.createDirectories(dir);
        try {
            Path ndjson = work.resolve("events.ndjson");
            long t0 = System.nanoTime();
            try (LocalLog log = openLog(work, "log");
                    LocalLog refusedLog = refusedEvery > 0 ? openLog(work, REFUSED_LOG) : null;
                    OutputStream raw = new BufferedOutputStream(Files.newOutputStream(ndjson), 1 << 20)) {
                LogFill.fill(
                        events,
                        seed -> realShaped
                                ? new RealShapedEvents(seed)
                                : mixed ? new EventGenerator(seed).mixed(newFieldEvery) : new EventGenerator(seed),
                        log,
                        raw,
                        refusedLog,
                        refusedEvery);
            }
            System.out.printf(
                    "generated %,d events (%,d bytes canonical NDJSON) in %.1f s%n",
                    events, Files.size(ndjson), (System.nanoTime() - t0) / 1e9);
            System.gc();
            rawBytes = Files.size(ndjson);
            double theirs = clickhouse != null ? 0 : baselines.readJson(work, ndjson, mixed || realShaped);
            if (prefill > 0) return prefilled(work);
            if (refusedEvery > 0) return refused(work);
            // with --dedup both: off, on, off, on, so neither gains from running second (JIT, page cache)
            int rounds = dedup.equals("both") ? 2 : 1;
            double[] sum = new double[2];
            for (int w = 0; w < warmup; w++) runLoader(work, !dedup.equals("off"), -1 - w);
            for (int round = 0; round < rounds; round++) {
                for (boolean on : new boolean[] {false, true}) {
                    if (on ? dedup.equals("off") : dedup.equals("on")) continue;
                    double rate = runLoader(work, on, round);
                    sum[on ? 1 : 0] += rate / rounds;
                }
            }
            // ClickHouse's own load of the same rows into the same tables, once the loader has made them
            if (clickhouse != null) theirs = baselines.jsonEachRow(work, lastDatabase);
            for (int on = 0; on < 2; on++) {
                if (sum[on] == 0) continue;
                System.out.printf(
                        "RESULT loader (dedup %s) %.0f events/s, %s %.0f events/s, ratio %.2f%n",
                        on == 1 ? "on" : "off",
                        sum[on],
                        clickhouse != null ? "ClickHouse JSONEachRow of the same rows" : "DuckDB read_json",
                        theirs,
                        sum[on] / theirs);
            }
            if (sum[0] > 0 && sum[1] > 0) {
                System.out.printf(
                        "RESULT dedup overhead %.0f%% (throughput with dedup on is %.2f of off)%n",
                        100 * (1 - sum[1] / sum[0]), sum[1] / sum[0]);
            }
            long heap =
                    Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            System.out.printf(
                    "heap in use at end: %d MB (max %d MB)%n",
                    heap >> 20, Runtime.getRuntime().maxMemory() >> 20);
            return 0;
        } finally {
            if (temp) BenchFiles.deleteTree(work);
        }
    }

    /** Loads the whole log into a fresh store (the log is kept: retention is long). */
    private double runLoader(Path work, boolean dedupOn, int round) throws Exception {
        Metrics metrics = new Metrics();
        Path store = work.resolve((dedupOn ? "store-dedup-" : "store-plain-") + round);
        String database = "bench_" + System.currentTimeMillis();
        double rate;
        if (stored > 0) {
            try (io.catchment.sink.Sink sink = openStore(store, database, dedupOn)) {
                Prefill.run(sink, stored, prefillDays, events, seed(work), store);
            }
        }
        long o0 = System.nanoTime();
        try (LocalLog log = openLog(work, logName);
                io.catchment.sink.Sink sink = openStore(store, database, dedupOn)) {
            if (stored > 0) {
                System.out.printf(
                        "store with %,d events opened again in %.1f s (the duplicate check's id sets built)%n",
                        stored, (System.nanoTime() - o0) / 1e9);
            }
            Loader loader = new Loader(log, sink, metrics, batchEvents, Duration.ofMillis(200), 1000, 1000);
            long end = log.endOffset();
            double[] cpu0 = cpu.now();
            long t0 = System.nanoTime();
            loader.start();
            while (loader.position() < end) Thread.sleep(5);
            double secs = (System.nanoTime() - t0) / 1e9;
            double[] cpu1 = cpu.now();
            loader.close();
            var r = sink.query("SELECT count(*) - " + stored + " FROM events", 1, Duration.ofMinutes(1));
            System.out.printf(
                    "loader (dedup %s%s): %,d events (%s rows in events) in %.2f s = %.0f events/s (batch %d)%n",
                    dedupOn ? "on" : "off",
                    round < 0 ? ", warm-up: not counted" : "",
                    events,
                    r.rows().get(0).get(0),
                    secs,
                    events / secs,
                    batchEvents);
            System.out.println(cpu.used(cpu0, cpu1, secs));
            if (logName.equals(REFUSED_LOG)) System.out.printf("dead letters: %,d%n", sink.pendingDeadLetters());
            rate = events / secs;
            if (clickhouse != null) {
                lastDatabase = database;
                // parts are written compressed as they come; merges change the size little (measured)
                long bytes = Long.parseLong(baselines
                        .clickhouseSql("SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND " + "database = '"
                                + database + "'")
                        .strip());
                if (round >= 0) onDisk("ClickHouse", bytes);
            }
        }
        // a warm-up's merges would compete with the measured run; a prefilled store is 1 GB or more
        if (clickhouse != null && (round < 0 || prefill > 0)) baselines.clickhouseSql("DROP DATABASE " + database);
        if (clickhouse == null && round >= 0)
            onDisk("DuckDB", BenchFiles.storeBytes(store)); // closed: checkpointed, WAL empty
        return rate;
    }

    /** The first generated event, to seed a prefilled store with the loader's columns. */
    private static String seed(Path work) throws java.io.IOException {
        try (var lines = Files.lines(work.resolve("events.ndjson"))) {
            return lines.findFirst().orElseThrow();
        }
    }

    private io.catchment.sink.Sink openStore(Path store, String database, boolean dedupOn) throws Exception {
        return clickhouse != null
                ? new io.catchment.sink.clickhouse.ClickHouseSink(
                        clickhouse, database, "default", "", "", store, dedupOn, 1000)
                : new DuckDbSink(
                        store,
                        StoreSettings.DUCKDB_MEMORY_LIMIT.defaultValue(),
                        StoreSettings.DUCKDB_CHECKPOINT_THRESHOLD.defaultValue(),
                        io.catchment.sink.Dedup.of(dedupOn),
                        1000,
                        DuckDbSink.DEFAULT_BLOCK_SIZE,
                        duckdbThreads);
    }

    /**
     * {@code --prefill}: loads into an empty store and into one holding {@code prefill} events, twice each, alternating
     * (empty, prefilled, empty, prefilled), dedup on, and prints the ratio.
     */
    private int prefilled(Path work) throws Exception {
        double[] sum = new double[2];
        for (int w = 0; w < warmup; w++) runLoader(work, true, -1 - w);
        for (int round = 0; round < 2; round++) {
            for (int p = 0; p < 2; p++) {
                stored = p == 0 ? 0 : prefill;
                sum[p] += runLoader(work, true, 10 * round + p) / 2;
                stored = 0;
            }
        }
        System.out.printf(
                "RESULT loader (dedup on) empty store %.0f events/s, with %,d events stored over %d day(s) %.0f "
                        + "events/s, ratio %.2f%n",
                sum[0], prefill, prefillDays, sum[1], sum[1] / sum[0]);
        return 0;
    }

    /**
     * {@code --refused-every}: loads the clean log and the refused one (the same events, every N-th refused by the
     * store) into fresh stores, alternating, {@code max(2, warmup-free)} rounds, and prints the ratio of each pair.
     */
    private int refused(Path work) throws Exception {
        for (int w = 0; w < warmup; w++) runLoader(work, !dedup.equals("off"), -1 - w);
        double[] sum = new double[2];
        int rounds = 2;
        for (int round = 0; round < rounds; round++) {
            double[] rate = new double[2];
            for (int r = 0; r < 2; r++) {
                logName = r == 0 ? "log" : REFUSED_LOG;
                rate[r] = runLoader(work, !dedup.equals("off"), 10 * round + r);
                sum[r] += rate[r] / rounds;
            }
            logName = "log";
            System.out.printf("round %d: refused/clean %.2f%n", round, rate[1] / rate[0]);
        }
        System.out.printf(
                "RESULT loader clean %.0f events/s, 1 in %,d refused %.0f events/s, ratio %.2f%n",
                sum[0], refusedEvery, sum[1], sum[1] / sum[0]);
        return 0;
    }

    private static LocalLog openLog(Path work, String name) throws java.io.IOException {
        return new LocalLog(work.resolve("data").resolve(name), 64 << 20, Long.MAX_VALUE, Duration.ofDays(1));
    }

    private void onDisk(String store, long bytes) {
        System.out.printf(
                "RESULT on disk: %s %,d bytes = %.0f bytes/event; raw NDJSON %.0f bytes/event (%.1fx smaller)%n",
                store, bytes, (double) bytes / events, (double) rawBytes / events, (double) rawBytes / bytes);
    }
}
