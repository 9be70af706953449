package io.catchment.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real SQS-compatible server for tests: ElasticMQ ({@code org.elasticmq:elasticmq-server_2.13} 1.7.1 from Maven
 * Central, classpath resolved by test.sh into target/elasticmq.classpath) in a JVM of its own, on a free loopback port,
 * in memory, with strict SQS limits (256 KiB messages, 10 per batch). Stopped by its PID by {@link #close}.
 */
public final class ElasticMq implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private ElasticMq(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static ElasticMq start() throws IOException, InterruptedException {
        Path cpFile = Path.of(System.getProperty("elasticmq.classpath", "target/elasticmq.classpath"));
        if (!Files.exists(cpFile))
            throw new IllegalStateException(cpFile + " is missing: run ./test.sh (it resolves it)");
        String cp = Files.readString(cpFile).strip();
        Path dir = Files.createTempDirectory("catchment-elasticmq-");
        int port = ClickHouseServer.freePort();
        Path conf = dir.resolve("elasticmq.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "include classpath(\"application.conf\")",
                        "pekko.loglevel = \"WARNING\"",
                        "node-address { protocol = http, host = \"127.0.0.1\", port = " + port
                                + ", context-path = \"\" }",
                        "rest-sqs { enabled = true, bind-port = " + port
                                + ", bind-hostname = \"127.0.0.1\", sqs-limits = strict }",
                        "rest-stats { enabled = false }",
                        ""));
        Path logback = dir.resolve("logback.xml");
        Files.writeString(
                logback,
                "<configuration><appender name=\"O\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                        + "<pattern>%d %-5level %logger{20} %msg%n</pattern></encoder></appender>"
                        + "<root level=\"WARN\"><appender-ref ref=\"O\"/></root></configuration>\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx384m",
                        "-Dconfig.file=" + conf,
                        "-Dlogback.configurationFile=" + logback,
                        "-cp",
                        cp,
                        "org.elasticmq.server.Main")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("elasticmq.log").toFile())
                .start();
        ElasticMq mq = new ElasticMq(p, dir, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive())
                throw new IllegalStateException("elasticmq exited: " + Files.readString(dir.resolve("elasticmq.log")));
            try (Socket s = new Socket("127.0.0.1", port)) {
                return mq;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        mq.close();
        throw new IllegalStateException("elasticmq did not listen within 60 s");
    }

    /** The endpoint for {@code sqs.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temp dir: left for the OS
        }
    }
}
