package io.catchment.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker for tests: a single-node KRaft broker (broker and controller in one process) from Maven
 * Central's {@code kafka_2.13} 4.3.1 jars (classpath resolved by test.sh into target/kafka.classpath), on free
 * loopback ports, its log in a temp dir, stopped by its PID by {@link #close}.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private KafkaBroker(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static KafkaBroker start() throws IOException, InterruptedException {
        Path cpFile = Path.of(System.getProperty("kafka.classpath", "target/kafka.classpath"));
        if (!Files.exists(cpFile))
            throw new IllegalStateException(cpFile + " is missing: run ./test.sh (it resolves it)");
        String cp = Files.readString(cpFile).strip();
        Path dir = Files.createTempDirectory("catchment-kafka-");
        int port = ClickHouseServer.freePort();
        int controller = ClickHouseServer.freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(
                props,
                String.join(
                                "\n",
                                List.of(
                                        "process.roles=broker,controller",
                                        "node.id=1",
                                        "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
                                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:"
                                                + controller,
                                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port
                                                + ",CONTROLLER://127.0.0.1:" + controller,
                                        "controller.listener.names=CONTROLLER",
                                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                                        "log.dirs=" + dir.resolve("data"),
                                        "offsets.topic.replication.factor=1",
                                        "transaction.state.log.replication.factor=1",
                                        "transaction.state.log.min.isr=1",
                                        "group.initial.rebalance.delay.ms=0",
                                        "num.partitions=1"))
                        + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process format = new ProcessBuilder(
                        java,
                        "-cp",
                        cp,
                        "kafka.tools.StorageTool",
                        "format",
                        "--standalone",
                        "-t",
                        shortUuid(),
                        "-c",
                        props.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException(
                    "kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", cp, "kafka.Kafka", props.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile())
                .start();
        KafkaBroker broker = new KafkaBroker(p, dir, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive())
                throw new IllegalStateException("kafka exited: " + Files.readString(dir.resolve("broker.log")));
            try (Socket s = new Socket("127.0.0.1", port)) {
                return broker;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        broker.close();
        throw new IllegalStateException("kafka did not listen within 60 s");
    }

    /** A cluster id as Kafka's storage tool writes them (URL-safe base64 of 16 random bytes). */
    /**
     * A cluster id as Kafka's {@code random-uuid} makes one: base64url of a random UUID, never starting with "-" (the
     * storage tool would read such an id as an option: 1 start in 64 failed).
     */
    private static String shortUuid() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16)
                    .putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) return id;
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
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
