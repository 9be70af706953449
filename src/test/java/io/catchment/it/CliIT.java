package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: the packaged jar in a child process. */
@Timeout(120)
class CliIT {
    @TempDir
    Path tmp;

    private record Run(int exit, String output) {}

    private Run run(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "cli", ".log");
        Process p = ServerProcess.launch(env, log, args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    void invalid_config_fails_before_the_port_is_bound_naming_the_key() throws Exception {
        int port = ServerProcess.freePort();
        Run r = run(
                Map.of(
                        "CATCHMENT_PORT",
                        String.valueOf(port),
                        "CATCHMENT_DATA_DIR",
                        tmp.resolve("d").toString(),
                        "CATCHMENT_LOG_MAX_BYTES",
                        "lots"),
                "serve");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("log.max_bytes", "CATCHMENT_LOG_MAX_BYTES", "lots");
        assertThat(Files.exists(tmp.resolve("d"))).as("nothing created").isFalse();
        try (ServerSocket s = new ServerSocket(port)) {
            assertThat(s.isBound()).isTrue();
        }
    }

    @Test
    void help_lists_commands_and_settings() throws Exception {
        Run top = run(Map.of(), "--help");
        assertThat(top.exit()).isZero();
        assertThat(top.output()).contains("serve", "query", "loadgen");
        Run serve = run(Map.of(), "serve", "--help");
        assertThat(serve.output()).contains("CATCHMENT_PORT", "CATCHMENT_WRITE_KEYS", "log.retention", "Exit codes");
        assertThat(run(Map.of(), "no-such-command").exit()).isEqualTo(2);
    }

    @Test
    void query_prints_a_table_csv_and_json_from_a_running_server() throws Exception {
        try (ServerProcess server = new ServerProcess(tmp.resolve("data")).start()) {
            Http.post(
                    server.url("/v1/events"),
                    ServerProcess.WRITE_KEY,
                    "{\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro, yearly\"}}");
            Map<String, String> env = Map.of("CATCHMENT_ADMIN_KEY", ServerProcess.ADMIN_KEY);
            String url = server.url("");
            assertThat(Http.eventually(
                            java.time.Duration.ofSeconds(10),
                            () -> run(env, "query", "--url", url, "SELECT count(*) AS n FROM signed_up")
                                    .output()
                                    .contains("| 1 ")))
                    .isTrue();
            Run table = run(env, "query", "--url", url, "SELECT event, properties_plan FROM signed_up");
            assertThat(table.exit()).isZero();
            assertThat(table.output()).contains("| event ", "| Signed Up ", "pro, yearly", "1 row");
            Run csv =
                    run(env, "query", "--url", url, "--format", "csv", "SELECT event, properties_plan FROM signed_up");
            assertThat(csv.output()).contains("event,properties_plan", "Signed Up,\"pro, yearly\"");
            Run json = run(env, "query", "--url", url, "-f", "json", "SELECT 1 AS one");
            assertThat(json.output()).contains("\"rows\"", "\"one\"");
            Run schema = run(env, "schema", "--url", url, "signed_up");
            assertThat(schema.exit()).isZero();
            assertThat(schema.output())
                    .contains(
                            "signed_up (",
                            "properties_plan",
                            "VARCHAR",
                            "/properties/plan",
                            "Recent schema changes",
                            "CREATE_TABLE");
            assertThat(Files.readString(tmp.resolve("data").resolve("schema-changes.log")))
                    .contains("ADD_COLUMN signed_up.properties_plan");
            Run bad = run(env, "query", "--url", url, "DELETE FROM events");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.output()).contains("read-only");
        }
        Run down = run(
                Map.of("CATCHMENT_ADMIN_KEY", "x-admin-key-1"),
                "query",
                "--url",
                "http://127.0.0.1:" + ServerProcess.freePort(),
                "SELECT 1");
        assertThat(down.exit()).isEqualTo(3);
        assertThat(down.output()).contains("cannot reach");
    }

    @Test
    void the_loader_benchmark_runs_its_warm_up_first_and_counts_only_the_measured_run() throws Exception {
        Run r = run(
                Map.of(),
                "bench-loader",
                "--events",
                "3000",
                "--batch-events",
                "1000",
                "--mixed",
                "--warmup",
                "1",
                "--dir",
                tmp.resolve("bench").toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("loader (dedup on, warm-up: not counted): 3,000 events (3000 rows in events)")
                .contains("RESULT loader (dedup on) ")
                .contains("DuckDB read_json");
        // one measured run: one result, one size on disk (the warm-up's is not reported)
        List<String> measured = r.output()
                .lines()
                .filter(l -> l.startsWith("loader (dedup on): 3,000 events"))
                .toList();
        assertThat(measured).hasSize(1);
        assertThat(r.output().lines().filter(l -> l.startsWith("RESULT on disk: DuckDB")))
                .hasSize(1);
        // the result is the measured run's rate, not an average with the warm-up's
        String rate = measured.get(0).replaceAll(".* = ([0-9]+) events/s.*", "$1");
        assertThat(r.output()).contains("RESULT loader (dedup on) " + rate + " events/s");
    }
}
