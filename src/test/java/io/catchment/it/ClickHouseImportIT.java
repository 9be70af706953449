package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.bench.ExportGenerator;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code catchment import} with {@code store.type: clickhouse}: the real jar writes straight into a real ClickHouse
 * server (on free loopback ports, data in a temp dir), with its checkpoints in {@code _imports}; re-runs resume from
 * them.
 */
@Timeout(300)
class ClickHouseImportIT {
    static ClickHouseServer clickhouse;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        clickhouse = ClickHouseServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (clickhouse != null) clickhouse.close();
    }

    private record Result(int exit, String output) {}

    private Result importInto(String db, String... args) throws Exception {
        Path log = dir.resolve("import-" + System.nanoTime() + ".log");
        String[] all = new String[args.length + 1];
        all[0] = "import";
        System.arraycopy(args, 0, all, 1, args.length);
        Process p = ServerProcess.launch(
                Map.of(
                        "CATCHMENT_STORE_TYPE",
                        "clickhouse",
                        "CATCHMENT_CLICKHOUSE_URL",
                        clickhouse.url(),
                        "CATCHMENT_CLICKHOUSE_DATABASE",
                        db),
                log,
                all);
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        return new Result(done ? p.exitValue() : -1, Files.readString(log));
    }

    private static String sql(String sql) throws Exception {
        return clickhouse.sql(sql).strip();
    }

    private static long count(String sql) throws Exception {
        return Long.parseLong(sql(sql));
    }

    @Test
    void a_zipped_export_lands_in_clickhouse_with_checkpoints_and_reruns_resume_from_them() throws Exception {
        Path zip = dir.resolve("export.zip");
        // 3 gzipped NDJSON members of 1,000 events; a broken line in the second and in the third
        ExportGenerator.amplitudeZip(zip, 8, 3_000, 1_000, 1_500);
        Path data = dir.resolve("data");
        Result r = importInto("imp", zip.toString(), "--data-dir", data.toString(), "--batch-events", "400");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("loading straight into the store (ClickHouseSink)")
                .contains("3,000 loaded")
                .contains("2 dead-lettered");
        assertThat(count("SELECT count() FROM imp.events")).isEqualTo(3_000);
        assertThat(count("SELECT uniqExact(id) FROM imp.events")).isEqualTo(3_000);
        String line = ExportGenerator.amplitudeLine(8, 1234);
        String platform = sql("SELECT context_platform FROM imp.events WHERE id = '8-1234'");
        assertThat(line).contains("\"platform\":\"" + platform + "\"");
        assertThat(count("SELECT count() FROM imp._dead_letters FINAL")).isEqualTo(2);
        // one checkpoint per member: its next line and its totals
        assertThat(sql("SELECT next_line, events, dead_letters FROM imp._imports FINAL ORDER BY member"))
                .isEqualTo("1000\t1000\t0\n1001\t1000\t1\n1001\t1000\t1");
        assertThat(count("SELECT uniqExact(job_id) FROM imp._imports")).isEqualTo(1);

        Result again = importInto("imp", zip.toString(), "--data-dir", data.toString());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("3,002 lines skipped").contains("0 loaded");
        assertThat(count("SELECT count() FROM imp.events")).isEqualTo(3_000);

        // as if the first run had stopped 400 lines into the first member: the re-run reads only its other 600 lines,
        // finds their events stored, and moves the checkpoint to the member's end
        String first = sql("SELECT member FROM imp._imports FINAL ORDER BY member LIMIT 1");
        String version = sql("SELECT max(version) + 1 FROM imp._imports");
        sql("INSERT INTO imp._imports SELECT job_id, member, toInt64(400), toInt64(400), toInt64(0), updated_at, "
                + "toUInt64(" + version + ") FROM imp._imports FINAL WHERE member = '" + first.replace("'", "\\'")
                + "'");
        assertThat(sql("SELECT next_line FROM imp._imports FINAL ORDER BY member LIMIT 1"))
                .isEqualTo("400");
        Result resumed = importInto("imp", zip.toString(), "--data-dir", data.toString());
        assertThat(resumed.exit()).as(resumed.output()).isZero();
        assertThat(resumed.output())
                .contains("600 events read")
                .contains("2,402 lines skipped")
                .contains("0 loaded, 600 duplicates skipped");
        assertThat(count("SELECT count() FROM imp.events")).isEqualTo(3_000);
        assertThat(sql("SELECT next_line, events, dead_letters FROM imp._imports FINAL ORDER BY member"))
                .isEqualTo("1000\t1000\t0\n1001\t1000\t1\n1001\t1000\t1");
    }
}
