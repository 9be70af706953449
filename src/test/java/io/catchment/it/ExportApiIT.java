package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.catchment.bench.ExportGenerator;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code catchment import amplitude-export://…} and {@code mixpanel-export://…} against a local stand-in that
 * follows the vendors' documented export behaviour: Amplitude answers a zip of gzipped NDJSON per range, 404 for a
 * range without data, 400 when the export would be too large, 504 on a timeout; Mixpanel answers NDJSON (gzipped
 * when asked) and 429 when called too fast.
 */
@Timeout(180)
class ExportApiIT {
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH");
    static final int PER_HOUR = 10;

    @TempDir
    Path dir;

    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicBoolean timedOut = new AtomicBoolean();
    final AtomicBoolean throttled = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/2/export", this::amplitude);
        server.createContext("/api/2.0/export", this::mixpanel);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> q = new java.util.HashMap<>();
        for (String p : x.getRequestURI().getRawQuery().split("&"))
            q.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
        return q;
    }

    private static void reply(HttpExchange x, int status, byte[] body) throws java.io.IOException {
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
        x.close();
    }

    /** Events exist for 2023-01-01 00h to 2023-01-03 23h, except 2023-01-02; ranges over 12 h of 2023-01-03 are too large. */
    private void amplitude(HttpExchange x) throws java.io.IOException {
        Map<String, String> q = query(x);
        requests.add("amplitude " + q.get("start") + "-" + q.get("end"));
        String auth =
                "Basic " + Base64.getEncoder().encodeToString("amp-key:amp-secret".getBytes(StandardCharsets.UTF_8));
        if (!auth.equals(x.getRequestHeaders().getFirst("Authorization"))) {
            reply(x, 401, "bad credentials".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (timedOut.compareAndSet(false, true)) {
            reply(x, 504, "Gateway Timeout".getBytes(StandardCharsets.UTF_8));
            return;
        }
        LocalDateTime start = LocalDateTime.parse(q.get("start"), HOUR);
        LocalDateTime end = LocalDateTime.parse(q.get("end"), HOUR);
        if (start.getDayOfMonth() == 3 && java.time.Duration.between(start, end).toHours() >= 12) {
            reply(x, 400, "Raw data files were too large".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        int members = 0;
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            for (LocalDateTime h = start; !h.isAfter(end); h = h.plusHours(1)) {
                if (h.getDayOfMonth() == 2 || h.getDayOfMonth() > 3) continue;
                z.putNextEntry(new ZipEntry("123456/123456_" + h.toLocalDate() + "_" + h.getHour() + "#0.json.gz"));
                ByteArrayOutputStream gz = new ByteArrayOutputStream();
                try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
                    long first = ((h.getDayOfMonth() - 1) * 24L + h.getHour()) * PER_HOUR;
                    for (long i = first; i < first + PER_HOUR; i++)
                        g.write((ExportGenerator.amplitudeLine(9, i) + "\n").getBytes(StandardCharsets.UTF_8));
                }
                z.write(gz.toByteArray());
                z.closeEntry();
                members++;
            }
        }
        if (members == 0) reply(x, 404, new byte[0]);
        else reply(x, 200, zip.toByteArray());
    }

    private void mixpanel(HttpExchange x) throws java.io.IOException {
        Map<String, String> q = query(x);
        requests.add("mixpanel " + q.get("from_date"));
        String auth = "Basic " + Base64.getEncoder().encodeToString("mp-secret:".getBytes(StandardCharsets.UTF_8));
        if (!auth.equals(x.getRequestHeaders().getFirst("Authorization"))) {
            reply(x, 401, "{\"error\":\"bad credentials\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (throttled.compareAndSet(false, true)) {
            x.getResponseHeaders().add("Retry-After", "1");
            reply(x, 429, "{\"error\":\"rate limit\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        int day = Integer.parseInt(q.get("from_date").substring(8, 10));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        OutputStream o =
                "gzip".equals(x.getRequestHeaders().getFirst("Accept-Encoding")) ? new GZIPOutputStream(body) : body;
        ExportGenerator.mixpanelNdjson(o, 4, (day - 1) * 100L, day * 100L);
        o.close();
        if (o != body) x.getResponseHeaders().add("Content-Encoding", "gzip");
        reply(x, 200, body.toByteArray());
    }

    private long count(Path data, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("catchment.duckdb"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void amplitude_export_api_walks_the_range_splits_too_large_skips_empty_and_retries_timeouts() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("import.log");
        String host = "http://127.0.0.1:" + server.getAddress().getPort();
        Process p = ServerProcess.launch(
                Map.of(
                        "CATCHMENT_AMPLITUDE_API_KEY",
                        "amp-key",
                        "CATCHMENT_AMPLITUDE_SECRET_KEY",
                        "amp-secret",
                        "CATCHMENT_MIXPANEL_SECRET",
                        "mp-secret"),
                log,
                "import",
                "amplitude-export://?start=20230101T00&end=20230103T23",
                "mixpanel-export://?from=2023-01-01&to=2023-01-03",
                "--data-dir",
                data.toString(),
                "--amplitude-host",
                host,
                "--mixpanel-host",
                host);
        assertThat(p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        // 2023-01-01 and 2023-01-03 (24 h each, 10 events an hour); 2023-01-02 is a 404
        assertThat(count(data, "SELECT count(*) FROM events WHERE id LIKE '9-%'"))
                .isEqualTo(480);
        assertThat(count(data, "SELECT count(*) FROM events WHERE id = '9-" + (48 * PER_HOUR + 5) + "'"))
                .isEqualTo(1);
        assertThat(count(data, "SELECT count(*) FROM events WHERE id LIKE 'mp-4-%'"))
                .isEqualTo(300);
        assertThat(requests)
                .contains(
                        "amplitude 20230103T00-20230103T23",
                        "amplitude 20230103T00-20230103T11",
                        "amplitude 20230103T12-20230103T23",
                        "amplitude 20230102T00-20230102T23");
        assertThat(requests.stream()
                        .filter(r -> r.equals("amplitude 20230101T00-20230101T23"))
                        .count())
                .isEqualTo(2); // 504, retried
        assertThat(requests.stream()
                        .filter(r -> r.startsWith("mixpanel 2023-01-01"))
                        .count())
                .isEqualTo(2); // 429, retried

        // the same command again reads every range again but adds nothing
        Path log2 = dir.resolve("again.log");
        Process again = ServerProcess.launch(
                Map.of(
                        "CATCHMENT_AMPLITUDE_API_KEY",
                        "amp-key",
                        "CATCHMENT_AMPLITUDE_SECRET_KEY",
                        "amp-secret",
                        "CATCHMENT_MIXPANEL_SECRET",
                        "mp-secret"),
                log2,
                "import",
                "amplitude-export://?start=20230101T00&end=20230103T23",
                "mixpanel-export://?from=2023-01-01&to=2023-01-03",
                "--data-dir",
                data.toString(),
                "--amplitude-host",
                host,
                "--mixpanel-host",
                host);
        assertThat(again.waitFor(150, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(Files.readString(log2)).isZero();
        assertThat(count(data, "SELECT count(*) FROM events")).isEqualTo(780);
    }
}
