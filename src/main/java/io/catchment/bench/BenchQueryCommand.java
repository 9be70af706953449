package io.catchment.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.Backends;
import io.catchment.Server;
import io.catchment.analytics.Analytics;
import io.catchment.config.CatchmentConfig;
import io.catchment.config.ConfigLoader;
import io.catchment.event.EventJson;
import io.catchment.sink.Sink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code catchment bench-query}: fills a store with a generated data set ({@link QueryBenchData}), then times each
 * report through the analytics layer and the same report written by hand as one SQL statement ({@link QueryBaselines})
 * in the same store, alternating, and prints the medians, their ratio and the target.
 */
@Command(
        name = "bench-query",
        mixinStandardHelpOptions = true,
        description = "Benchmark: the analytics reports vs the same reports as hand-written SQL, on generated events.")
public final class BenchQueryCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            description = "events to generate (default: ${DEFAULT-VALUE})",
            defaultValue = "10000000")
    long events;

    @Option(
            names = "--days",
            description = "days they span, ending now (default: ${DEFAULT-VALUE})",
            defaultValue = "90")
    int days;

    @Option(names = "--users", description = "people (default: ${DEFAULT-VALUE})", defaultValue = "100000")
    int users;

    @Option(names = "--runs", description = "timed runs of each (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int runs;

    @Option(
            names = "--store",
            description = "duckdb or clickhouse (default: ${DEFAULT-VALUE})",
            defaultValue = "duckdb")
    String store;

    @Option(names = "--clickhouse-url", description = "ClickHouse's HTTP URL, for --store clickhouse")
    String clickhouseUrl;

    @Option(names = "--work-dir", description = "where the store goes (default: a temp dir, deleted)")
    Path workDir;

    @Option(
            names = "--person-index",
            description = "index person_key (duckdb.person_index) once the events are in, and time the reports with it")
    boolean personIndex;

    @Override
    public Integer call() throws Exception {
        boolean temp = workDir == null;
        Path work = temp ? Files.createTempDirectory("catchment-bench-query") : Files.createDirectories(workDir);
        boolean ch = store.equals("clickhouse");
        if (ch && clickhouseUrl == null)
            throw new IllegalArgumentException("--store clickhouse needs --clickhouse-url");
        String database = "bench_query_" + Long.toHexString(System.nanoTime());
        Map<String, String> cfg = new HashMap<>(Map.of(
                "data_dir",
                work.toString(),
                "port",
                "0",
                "host",
                "127.0.0.1",
                "write_keys",
                "bench_key=bench",
                "admin_key",
                "bench_admin",
                "loader.batch_wait",
                "50ms",
                "query.timeout",
                "600s"));
        if (ch)
            cfg.putAll(Map.of(
                    "store.type", "clickhouse", "clickhouse.url", clickhouseUrl, "clickhouse.database", database));
        CatchmentConfig config = new ConfigLoader(Map.of()).load(null, cfg);
        try {
            long t0 = System.nanoTime();
            seed(config);
            Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            List<String> fill = QueryBenchData.statements(ch, events, days, users, end);
            if (ch) QueryBenchData.clickhouse(clickhouseUrl, database, fill);
            else QueryBenchData.duckdb(work.resolve("catchment.duckdb"), fill);
            System.out.printf(
                    "%s: %,d events over %d days from %,d people, generated in %.1f s%n",
                    store, events, days, users, (System.nanoTime() - t0) / 1e9);
            if (personIndex) {
                cfg.put("duckdb.person_index", "true"); // built when the store opens, over the generated rows
                config = new ConfigLoader(Map.of()).load(null, cfg);
            }
            long open = System.nanoTime();
            try (Sink sink = Backends.store(config, config.duckdb().memoryLimit())) {
                if (personIndex) System.out.printf("person_key indexed in %.1f s%n", (System.nanoTime() - open) / 1e9);
                time(sink, config, end);
            }
        } finally {
            if (temp) BenchFiles.deleteTree(work);
        }
        return 0;
    }

    /** Runs the server once so that the loader creates every table with its own layout, then stops it. */
    private static void seed(CatchmentConfig config) throws Exception {
        Server server = new Server(config).start();
        try {
            StringBuilder body = new StringBuilder();
            for (int k = 0; k < QueryBenchData.NAMES; k++) {
                body.append("{\"event\":\"event_")
                        .append(k)
                        .append("\",\"user_id\":\"seed\",\"anonymous_id\":\"seed-anon\",\"timestamp\":\"2000-01-0")
                        .append(1 + k % 9)
                        .append("T00:00:00Z\",\"properties\":{\"price\":1,\"plan\":\"seed\"}}\n");
            }
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                            .header("Authorization", "Bearer bench_key")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("seeding failed: " + r.body());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode s = EventJson.MAPPER.readTree(http.send(
                                HttpRequest.newBuilder(URI.create(base + "/v1/status"))
                                        .header("Authorization", "Bearer bench_admin")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                if (s.path("loader").path("lag_records").asLong(-1) == 0
                        && s.path("events_since_start").path("in_flight").asLong(-1) == 0) break;
                if (System.nanoTime() > deadline) throw new IllegalStateException("seeding did not load: " + s);
                Thread.sleep(50);
            }
        } finally {
            server.close();
        }
    }

    private void time(Sink sink, CatchmentConfig config, Instant end) {
        Analytics analytics = new Analytics(
                sink,
                config.loader().layout(),
                ZoneOffset.UTC,
                1_000_000,
                Duration.ofSeconds(600),
                Supplier::get,
                Clock.systemUTC());
        analytics.personIndex(config.duckdb().personIndex() && !config.duckdb().clickhouse());
        // the layer against hand SQL: each computes its answer every time (the bucket cache is timed on its own below)
        analytics.cacheSeries(0);
        QueryBaselines base = new QueryBaselines(sink.dialect(), end, days);
        System.out.printf("%-34s %10s %10s %7s %10s%n", "report", "layer ms", "SQL ms", "ratio", "target ms");
        for (QueryBaselines.Report r : base.reports()) {
            Runnable layer = () -> r.layer().accept(analytics);
            Runnable hand = () -> sink.query(r.sql(), 1_000_000, Duration.ofSeconds(600));
            layer.run(); // warm-up (and a check that both run)
            hand.run();
            double[] a = new double[runs], b = new double[runs];
            for (int i = 0; i < runs; i++) {
                a[i] = millis(layer);
                b[i] = millis(hand);
            }
            double ma = median(a), mb = median(b);
            System.out.printf(
                    "%-34s %10.1f %10.1f %7.2f %10s%n",
                    r.name(), ma, mb, ma / mb, r.targetMillis() > 0 ? String.valueOf(r.targetMillis()) : "-");
        }
        // the same DAU asked again with analytics.cache_series on: the first ask fills the cache; the others find the
        // store unchanged (each still observes it: rows per day and the links)
        analytics.cacheSeries(Analytics.DEFAULT_CACHE);
        Runnable dau = () -> base.reports().get(0).layer().accept(analytics);
        double first = millis(dau);
        double[] again = new double[runs];
        for (int i = 0; i < runs; i++) again[i] = millis(dau);
        System.out.printf(
                "%-34s %10.1f (first ask %.1f ms: analytics.cache_series)%n",
                base.reports().get(0).name() + ", kept", median(again), first);
    }

    private static double millis(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
