package io.catchment.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code java -jar target/catchment.jar serve} as a child process on a free loopback port, for kill -9 tests. */
final class ServerProcess implements AutoCloseable {
    static final String WRITE_KEY = "it-write-key-0001";
    static final String ADMIN_KEY = "it-admin-key-0001";

    final int port;
    final Path dataDir;
    final Path logFile;
    private Process process;

    ServerProcess(Path dataDir) throws IOException {
        this.port = freePort();
        this.dataDir = dataDir;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Process launch(Map<String, String> env, Path log, String... args) throws IOException {
        String jar = System.getProperty("catchment.jar", "target/catchment.jar");
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar", jar));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("CATCHMENT_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    ServerProcess start() throws Exception {
        return start(Map.of());
    }

    /** Starts with extra environment variables (settings) on top of the test defaults. */
    ServerProcess start(Map<String, String> extra) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "CATCHMENT_PORT",
                String.valueOf(port),
                "CATCHMENT_HOST",
                "127.0.0.1",
                "CATCHMENT_DATA_DIR",
                dataDir.toString(),
                "CATCHMENT_WRITE_KEYS",
                WRITE_KEY + "=it",
                "CATCHMENT_ADMIN_KEY",
                ADMIN_KEY,
                "CATCHMENT_LOADER_BATCH_WAIT",
                "200ms"));
        env.putAll(extra);
        process = launch(env, logFile, "serve");
        HttpClient c = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + logFile);
            try {
                HttpResponse<String> r = c.send(
                        HttpRequest.newBuilder(URI.create(url("/readyz"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return this;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server not ready within 60 s; see " + logFile);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** SIGKILL: no shutdown hooks, no flushing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the server by its PID (SIGTERM, then SIGKILL after 20 s); runs even when a test failed. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) kill();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
