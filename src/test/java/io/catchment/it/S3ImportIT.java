package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.bench.ExportGenerator;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * {@code catchment import s3://…} against a real S3-compatible server: S3Proxy with a filesystem backend in a temp
 * dir, on a free loopback port, in its own process (its classpath resolved by test.sh), stopped when the test ends.
 */
@Timeout(180)
class S3ImportIT {
    @TempDir
    Path dir;

    Process s3proxy;
    String endpoint;

    @BeforeEach
    void start() throws Exception {
        Path cp = Path.of(System.getProperty("s3proxy.classpath", "target/s3proxy.classpath"));
        assertThat(cp).as("S3Proxy's classpath, written by ./test.sh").exists();
        int port = ServerProcess.freePort();
        endpoint = "http://127.0.0.1:" + port;
        Path conf = dir.resolve("s3proxy.conf");
        Files.createDirectories(dir.resolve("s3"));
        Files.writeString(
                conf,
                "s3proxy.endpoint=" + endpoint + "\ns3proxy.authorization=aws-v2-or-v4\n"
                        + "s3proxy.identity=local-identity\ns3proxy.credential=local-credential\njclouds.provider=filesystem\n"
                        + "jclouds.filesystem.basedir=" + dir.resolve("s3") + "\n");
        s3proxy = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-DLOG_LEVEL=warn",
                        "-cp",
                        Files.readString(cp).trim(),
                        "org.gaul.s3proxy.Main",
                        "--properties",
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline || !s3proxy.isAlive()) {
                    throw new IllegalStateException("S3Proxy did not start; see " + dir.resolve("s3proxy.log"));
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (s3proxy != null) {
            s3proxy.destroy();
            if (!s3proxy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) s3proxy.destroyForcibly();
        }
    }

    @Test
    void every_object_under_the_prefix_is_imported_once() throws Exception {
        try (S3Client s3 = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("local-identity", "local-credential")))
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            s3.createBucket(b -> b.bucket("exports"));
            Path zip = dir.resolve("amp.zip");
            ExportGenerator.amplitudeZip(zip, 21, 3_000, 1_000, 0);
            s3.putObject(b -> b.bucket("exports").key("2023/amplitude/amp.zip"), RequestBody.fromFile(zip));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
                ExportGenerator.mixpanelNdjson(g, 22, 0, 500);
            }
            s3.putObject(
                    b -> b.bucket("exports").key("2023/mixpanel/day1.ndjson.gz"),
                    RequestBody.fromBytes(gz.toByteArray()));
            s3.putObject(
                    b -> b.bucket("exports").key("2024/other.ndjson"), RequestBody.fromString("{\"event\":\"x\"}\n"));
        }
        Path data = dir.resolve("data");
        Path log = dir.resolve("import.log");
        Process p = ServerProcess.launch(
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "local-identity",
                        "AWS_SECRET_ACCESS_KEY",
                        "local-credential",
                        "AWS_REGION",
                        "us-east-1"),
                log,
                "import",
                "s3://exports/2023/",
                "--data-dir",
                data.toString(),
                "--s3-endpoint",
                endpoint,
                "--s3-path-style");
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("2 file(s)").contains("3,500 loaded");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("catchment.duckdb"));
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT count(*) FILTER (WHERE id LIKE '21-%'), count(*) FILTER (WHERE id LIKE "
                                + "'mp-22-%'), count(*) FROM events")) {
            rs.next();
            assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(3_000L, 500L, 3_500L);
        }
    }
}
