package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdOutputStream;
import io.catchment.bench.ExportGenerator;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code catchment import} as a user runs it: the real jar, real archives, the real store. */
@Timeout(300)
class ImportIT {
    @TempDir
    Path dir;

    /** Runs {@code catchment import ARGS}; returns exit code and output. */
    private Result importCmd(String... args) throws Exception {
        Path log = dir.resolve("import-" + System.nanoTime() + ".log");
        List<String> all = new ArrayList<>(List.of("import"));
        all.addAll(List.of(args));
        Process p = ServerProcess.launch(Map.of(), log, all.toArray(String[]::new));
        boolean done = p.waitFor(240, java.util.concurrent.TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        return new Result(done ? p.exitValue() : -1, Files.readString(log));
    }

    record Result(int exit, String output) {}

    /** Reads the store after the import process has exited (nothing else holds it then). */
    private static List<List<Object>> sql(Path data, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("catchment.duckdb"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getObject(i));
                rows.add(row);
            }
            return rows;
        }
    }

    private static long count(Path data, String sql) throws Exception {
        return ((Number) sql(data, sql).get(0).get(0)).longValue();
    }

    @Test
    void amplitude_export_zip_lands_with_its_values_bad_lines_dead_lettered_and_a_rerun_adds_nothing()
            throws Exception {
        Path zip = dir.resolve("export.zip");
        ExportGenerator.amplitudeZip(zip, 7, 12_000, 1_000, 5_000); // 12 gz members (2 per hour), 2 broken lines
        Path data = dir.resolve("data");
        Result r = importCmd(zip.toString(), "--data-dir", data.toString(), "--batch-events", "5000");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("12,000 loaded")
                .contains("2 dead-lettered")
                .contains("loading straight into the store");
        assertThat(count(data, "SELECT count(*) FROM events")).isEqualTo(12_000);
        assertThat(count(data, "SELECT count(DISTINCT id) FROM events")).isEqualTo(12_000);
        // event 4321: its time, ids, properties and the export's own fields
        List<Object> e = sql(
                        data,
                        "SELECT e.\"timestamp\"::VARCHAR, e.user_id, e.anonymous_id, e.context_platform, "
                                + "t.properties_genre, e.source, e.context_uuid FROM events e JOIN " + table(4321)
                                + " t USING (id) "
                                + "WHERE e.id = '7-4321'")
                .get(0);
        assertThat(e.get(0).toString()).startsWith("2023-01-01 02:09:37.8");
        assertThat(e.get(3)).isEqualTo("iOS");
        assertThat(e.get(5)).isEqualTo("import");
        String line = ExportGenerator.amplitudeLine(7, 4321);
        assertThat(line)
                .contains("\"user_id\":\"" + e.get(1) + "\"")
                .contains("\"device_id\":\"" + e.get(2) + "\"")
                .contains("\"genre\":\"" + e.get(4) + "\"")
                .contains("\"uuid\":\"" + e.get(6) + "\"");
        List<List<Object>> dead = sql(data, "SELECT reason FROM _dead_letters ORDER BY reason");
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).get(0).toString())
                .contains("export.zip!123456/")
                .contains(".json.gz line ")
                .contains("invalid JSON");
        assertThat(count(data, "SELECT count(*) FROM _imports")).isEqualTo(12);
        assertThat(count(data, "SELECT sum(events) FROM _imports")).isEqualTo(12_000);

        Result again = importCmd(zip.toString(), "--data-dir", data.toString());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("12,002 lines skipped").contains("0 loaded");
        assertThat(count(data, "SELECT count(*) FROM events")).isEqualTo(12_000);
        assertThat(count(data, "SELECT count(*) FROM _dead_letters")).isEqualTo(2);
    }

    private static String table(long i) {
        return io.catchment.schema.Names.table(
                ExportGenerator.amplitudeLine(7, i).replaceAll(".*\"event_type\":\"([^\"]+)\".*", "$1"));
    }

    @Test
    void mixpanel_files_gz_zst_nested_zip_directory_and_glob() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(in.resolve("a.ndjson.gz")))) {
            ExportGenerator.mixpanelNdjson(o, 3, 0, 1_000);
        }
        try (OutputStream o = new ZstdOutputStream(Files.newOutputStream(in.resolve("b.jsonl.zst")))) {
            ExportGenerator.mixpanelNdjson(o, 3, 1_000, 2_000);
        }
        try (ZipOutputStream outer = new ZipOutputStream(Files.newOutputStream(in.resolve("sub/c.zip")))) {
            outer.putNextEntry(new ZipEntry("inner.zip"));
            ZipOutputStream inner = new ZipOutputStream(outer);
            inner.putNextEntry(new ZipEntry("deep/d.json.gz"));
            GZIPOutputStream g = new GZIPOutputStream(inner);
            ExportGenerator.mixpanelNdjson(g, 3, 2_000, 3_000);
            g.finish();
            inner.closeEntry();
            inner.finish();
            outer.closeEntry();
        }
        Path data = dir.resolve("data");
        Result r = importCmd(in.toString(), "--data-dir", data.toString(), "--source", "mp-history");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(count(data, "SELECT count(*) FROM events WHERE source = 'mp-history'"))
                .isEqualTo(3_000);
        assertThat(count(
                        data,
                        "SELECT count(*) FROM events WHERE id = 'mp-3-2500' AND \"timestamp\" = "
                                + "TIMESTAMPTZ '2023-01-01 01:15:00+00'"))
                .isEqualTo(1);
        // a glob naming the same files is another job, but every event is already there: exact dedup adds nothing
        Result glob = importCmd(in.toString() + "/*.gz", "--data-dir", data.toString(), "--format", "mixpanel");
        assertThat(glob.exit()).as(glob.output()).isZero();
        assertThat(glob.output()).contains("1,000 events read").contains("1,000 duplicates skipped");
        assertThat(count(data, "SELECT count(*) FROM events")).isEqualTo(3_000);
    }

    @Test
    void killed_mid_import_it_resumes_and_ends_with_exactly_every_event() throws Exception {
        Path zip = dir.resolve("big.zip");
        ExportGenerator.amplitudeZip(zip, 11, 60_000, 20_000, 0);
        Path data = dir.resolve("data");
        Path log = dir.resolve("killed.log");
        Process p = ServerProcess.launch(
                Map.of(),
                log,
                "import",
                zip.toString(),
                "--data-dir",
                data.toString(),
                "--batch-events",
                "5000",
                "--progress-interval",
                "0.2");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            String out = Files.exists(log) ? Files.readString(log) : "";
            if (out.matches("(?s).*, [1-9][0-9,]* loaded.*")) break;
            Thread.sleep(50);
        }
        assertThat(p.isAlive()).as("still importing when killed").isTrue();
        p.destroyForcibly().waitFor();
        Result resumed = importCmd(zip.toString(), "--data-dir", data.toString(), "--batch-events", "5000");
        assertThat(resumed.exit()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("lines skipped: imported by an earlier run");
        assertThat(count(data, "SELECT count(*) FROM events")).isEqualTo(60_000);
        assertThat(count(data, "SELECT count(DISTINCT id) FROM events")).isEqualTo(60_000);
    }

    @Test
    void via_the_log_a_server_started_later_loads_the_events() throws Exception {
        Path data = dir.resolve("data");
        Path file = dir.resolve("mp.ndjson");
        try (OutputStream o = Files.newOutputStream(file)) {
            ExportGenerator.mixpanelNdjson(o, 6, 0, 1_500);
            o.write("not json\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Result r = importCmd(file.toString(), "--data-dir", data.toString(), "--via-log");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("appending to the event log").contains("1 bad lines");
        assertThat(Files.readString(data.resolve(Files.list(data)
                        .map(Path::getFileName)
                        .map(Path::toString)
                        .filter(n -> n.endsWith("-rejected.ndjson"))
                        .findFirst()
                        .orElseThrow())))
                .contains("not json");
        try (ServerProcess server = new ServerProcess(data).start()) {
            assertThat(Http.eventually(
                            Duration.ofSeconds(30),
                            () -> Http.sql(
                                                    server.url(""),
                                                    ServerProcess.ADMIN_KEY,
                                                    "SELECT count(*) FROM events WHERE id LIKE 'mp-6-%'")
                                            .get(0)
                                            .get(0)
                                            .asLong()
                                    == 1_500))
                    .isTrue();
        }
    }

    @Test
    void with_a_server_holding_the_data_dir_events_go_through_its_api() throws Exception {
        Path data = dir.resolve("data");
        Path file = dir.resolve("mp.ndjson");
        try (OutputStream o = Files.newOutputStream(file)) {
            ExportGenerator.mixpanelNdjson(o, 5, 0, 2_000);
        }
        try (ServerProcess server = new ServerProcess(data).start()) {
            Result r = importCmd(
                    file.toString(),
                    "--data-dir",
                    data.toString(),
                    "--url",
                    server.url(""),
                    "--key",
                    ServerProcess.WRITE_KEY);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("the store is held by a running server: sending to its API");
            assertThat(Http.eventually(
                            Duration.ofSeconds(30),
                            () -> Http.sql(server.url(""), ServerProcess.ADMIN_KEY, "SELECT count(*) FROM events")
                                            .get(0)
                                            .get(0)
                                            .asLong()
                                    == 2_000))
                    .isTrue();
        }
    }
}
