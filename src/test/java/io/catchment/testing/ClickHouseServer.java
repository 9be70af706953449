package io.catchment.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real ClickHouse server for tests: Debian's {@code clickhouse-server} (installed by test.sh), started with a config
 * of our own on free loopback ports with its data in a temp dir, stopped by its PID by {@link #close}. One server is
 * shared by a test class; each test uses a database of its own.
 */
public final class ClickHouseServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int httpPort;
    private final int tcpPort;

    private ClickHouseServer(Process process, Path dir, int httpPort, int tcpPort) {
        this.process = process;
        this.dir = dir;
        this.httpPort = httpPort;
        this.tcpPort = tcpPort;
    }

    public static ClickHouseServer start() throws IOException, InterruptedException {
        Path binary = Path.of("/usr/sbin/clickhouse-server");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "clickhouse-server is not installed: run ./test.sh (it installs Debian's package)");
        }
        Path dir = Files.createTempDirectory("catchment-clickhouse-");
        int http = freePort();
        int tcp = freePort();
        int interserver = freePort();
        return start(dir, http, tcp, interserver);
    }

    private static ClickHouseServer start(Path dir, int http, int tcp, int interserver)
            throws IOException, InterruptedException {
        for (String d : new String[] {"data", "tmp", "user_files", "format_schemas", "log"}) {
            Files.createDirectories(dir.resolve(d));
        }
        String config = """
        <yandex>
          <logger><level>warning</level><log>%1$s/log/server.log</log><errorlog>%1$s/log/error.log</errorlog><console>0</console></logger>
          <listen_host>127.0.0.1</listen_host>
          <http_port>%2$d</http_port>
          <tcp_port>%3$d</tcp_port>
          <interserver_http_port>%4$d</interserver_http_port>
          <path>%1$s/data/</path>
          <tmp_path>%1$s/tmp/</tmp_path>
          <user_files_path>%1$s/user_files/</user_files_path>
          <format_schema_path>%1$s/format_schemas/</format_schema_path>
          <users_config>/etc/clickhouse-server/users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <timezone>UTC</timezone>
          <mark_cache_size>268435456</mark_cache_size>
          <max_concurrent_queries>100</max_concurrent_queries>
        </yandex>
        """.formatted(dir.toAbsolutePath(), http, tcp, interserver);
        Path file = dir.resolve("config.xml");
        Files.writeString(file, config);
        Process p = new ProcessBuilder("/usr/sbin/clickhouse-server", "--config-file=" + file)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log/stdout.log").toFile())
                .start();
        ClickHouseServer server = new ClickHouseServer(p, dir, http, tcp);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(
                        "clickhouse-server exited: " + Files.readString(dir.resolve("log/stdout.log")));
            }
            if (server.ping()) return server;
            Thread.sleep(100);
        }
        server.close();
        throw new IllegalStateException("clickhouse-server did not answer /ping within 60 s");
    }

    public boolean ping() {
        try {
            var r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url() + "/ping"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().startsWith("Ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** A count read with clickhouse-client over ClickHouse's native protocol, as an operator would. */
    public long count(String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "clickhouse-client", "--host", "127.0.0.1", "--port", String.valueOf(tcpPort()), "--query", sql)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("clickhouse-client did not answer within 30 s: " + sql);
        }
        if (p.exitValue() != 0) throw new IOException("clickhouse-client: " + out);
        return Long.parseLong(out);
    }

    public int tcpPort() {
        return tcpPort;
    }

    /** Runs SQL over HTTP and returns the answer's body (TabSeparated unless the SQL names a format). */
    public String sql(String sql) throws IOException, InterruptedException {
        var r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url() + "/"))
                                .POST(HttpRequest.BodyPublishers.ofString(sql))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("ClickHouse " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    /** Stops the server (SIGTERM, then SIGKILL) without removing its data: {@link #restart} brings it back. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts a new server on the same ports and data (the old one must be stopped). */
    public ClickHouseServer restart() throws IOException, InterruptedException {
        return start(dir, httpPort, tcpPort, freePort());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temp dir: left for the OS
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
