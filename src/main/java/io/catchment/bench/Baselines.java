package io.catchment.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * What {@code bench-loader} compares the loader with: each store's own bulk load of the same events, timed the same
 * way (wall clock, and CPU with {@link CpuClock}), with nothing of Catchment's in the path. Prints what it measures.
 */
final class Baselines {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String clickhouse;
    private final CpuClock cpu;
    private final int events;

    /** {@code clickhouse}: the server's HTTP URL, or null when the bench runs on DuckDB. */
    Baselines(String clickhouse, CpuClock cpu, int events) {
        this.clickhouse = clickhouse;
        this.cpu = cpu;
        this.events = events;
    }

    /** Runs SQL on the ClickHouse server over HTTP; returns the answer's body. */
    String clickhouseSql(String sql) throws Exception {
        var r = HTTP.send(
                HttpRequest.newBuilder(URI.create(clickhouse + "/"))
                        .POST(HttpRequest.BodyPublishers.ofString(sql))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("ClickHouse: " + r.body());
        return r.body();
    }

    /**
     * ClickHouse's own load of the same rows into the same tables: every table the loader filled in {@code db} is
     * exported as JSONEachRow (flat rows: ClickHouse cannot flatten nested JSON itself), then, timed, each file is sent
     * with {@code INSERT INTO copy FORMAT JSONEachRow} over HTTP as curl would, into an empty table of the same
     * definition. The loader did more (parse the events, flatten, route, evolve the schema, check duplicates); this is
     * what storing its output costs ClickHouse alone.
     */
    double jsonEachRow(Path work, String db) throws Exception {
        String base = db + "_baseline";
        clickhouseSql("CREATE DATABASE " + base);
        List<String> tables = clickhouseSql("SELECT name FROM system.tables WHERE database = '" + db
                        + "' AND name NOT LIKE '\\\\_%' ORDER BY name")
                .lines()
                .toList();
        Path dir = Files.createDirectories(work.resolve("baseline"));
        for (String t : tables) {
            clickhouseSql("CREATE TABLE " + base + ".`" + t + "` AS " + db + ".`" + t + "`");
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(clickhouse + "/"))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "SELECT * FROM " + db + ".`" + t + "` FORMAT JSONEachRow"))
                            .build(),
                    HttpResponse.BodyHandlers.ofFile(dir.resolve(t + ".ndjson")));
        }
        // on a quiet server: the merges of the loader's parts would otherwise compete with the baseline
        for (int i = 0;
                i < 600
                        && !clickhouseSql("SELECT count() FROM system.merges")
                                .strip()
                                .equals("0");
                i++) {
            Thread.sleep(100);
        }
        long rows = 0;
        double[] cpu0 = cpu.now();
        long t0 = System.nanoTime();
        for (String t : tables) {
            var r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(clickhouse + "/?query="
                                    + URLEncoder.encode(
                                            "INSERT INTO " + base + ".`" + t + "` FORMAT JSONEachRow",
                                            StandardCharsets.UTF_8)))
                            .POST(HttpRequest.BodyPublishers.ofFile(dir.resolve(t + ".ndjson")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200)
                throw new IllegalStateException("ClickHouse JSONEachRow into " + t + ": " + r.body());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double[] cpu1 = cpu.now();
        rows = Long.parseLong(
                clickhouseSql("SELECT sum(rows) FROM system.parts WHERE active AND database = '" + base + "'")
                        .strip());
        System.out.printf(
                "ClickHouse INSERT FORMAT JSONEachRow of the loader's rows (%d tables, %,d rows) in %.2f s = "
                        + "%.0f events/s%n",
                tables.size(), rows, secs, events / secs);
        System.out.println(cpu.used(cpu0, cpu1, secs));
        return events / secs;
    }

    /** DuckDB's {@code read_json} of the raw NDJSON into one table; {@code sampleAll} when keys come and go. */
    double readJson(Path work, Path ndjson, boolean sampleAll) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + work.resolve("baseline.duckdb"));
                Statement s = c.createStatement()) {
            s.execute("SET memory_limit = '1GB'");
            double[] cpu0 = cpu.now();
            long t0 = System.nanoTime();
            s.execute("CREATE TABLE raw AS SELECT * FROM read_json('" + ndjson + "', format = 'newline_delimited'"
                    // with schema churn read_json must sample the whole file to know every key (and its widest type)
                    + (sampleAll ? ", sample_size = -1" : "") + ")");
            double secs = (System.nanoTime() - t0) / 1e9;
            double[] cpu1 = cpu.now();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM raw")) {
                rs.next();
                System.out.printf(
                        "DuckDB read_json: %,d rows in %.2f s = %.0f rows/s%n",
                        rs.getLong(1), secs, rs.getLong(1) / secs);
                System.out.println(cpu.used(cpu0, cpu1, secs));
                return rs.getLong(1) / secs;
            }
        }
    }
}
