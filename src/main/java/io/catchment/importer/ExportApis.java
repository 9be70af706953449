package io.catchment.importer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SaaS export APIs as import sources, streamed like files.
 *
 * <p>{@code amplitude-export://?start=YYYYMMDDTHH&end=YYYYMMDDTHH}: Amplitude's Export API ({@code GET
 * /api/2/export}, Basic auth api key : secret key), walked a day at a time; an answer of 400 (the export would pass
 * 4 GB) splits the range in halves down to single hours, 404 is an empty range, 5xx and timeouts are retried with
 * backoff. Each answer is a zip of gzipped NDJSON, read member by member.
 *
 * <p>{@code mixpanel-export://?from=YYYY-MM-DD&to=YYYY-MM-DD[&project_id=N]}: Mixpanel's raw export ({@code GET
 * /api/2.0/export}, Basic auth with a service account {@code user:secret} or the project secret), a day at a time,
 * at most one request per {@link #MIXPANEL_SPACING} (its documented rate limit is 3 per second and 60 per hour);
 * 429 waits for {@code Retry-After}.
 */
public final class ExportApis {
    private static final Logger LOG = LoggerFactory.getLogger(ExportApis.class);
    static final Duration MIXPANEL_SPACING = Duration.ofSeconds(1);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH");

    /** Where the APIs are and who asks; hosts are settable for EU residency and for tests. */
    public record Access(
            String amplitudeHost,
            String amplitudeKey,
            String amplitudeSecret,
            String mixpanelHost,
            String mixpanelUser,
            String mixpanelSecret) {}

    private final Access access;
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private long lastMixpanel;

    public ExportApis(Access access) {
        this.access = access;
    }

    public static boolean isExportUri(String source) {
        return source.startsWith("amplitude-export://") || source.startsWith("mixpanel-export://");
    }

    /** Streams every member the export URI names to {@code v}; member names start with the range they came from. */
    public void walk(String uri, Archives.Visitor v) throws IOException, InterruptedException {
        Map<String, String> q = query(uri);
        if (uri.startsWith("amplitude-export://")) {
            LocalDateTime start = LocalDateTime.parse(need(q, "start", uri), HOUR);
            LocalDateTime end = LocalDateTime.parse(need(q, "end", uri), HOUR);
            for (LocalDateTime day = start; !day.isAfter(end); day = day.plusDays(1)) {
                LocalDateTime last = day.plusHours(23).isAfter(end) ? end : day.plusHours(23);
                amplitude(day, last, v);
            }
        } else {
            LocalDate from = LocalDate.parse(need(q, "from", uri));
            LocalDate to = LocalDate.parse(need(q, "to", uri));
            for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) mixpanel(day, q.get("project_id"), v);
        }
    }

    private void amplitude(LocalDateTime start, LocalDateTime end, Archives.Visitor v)
            throws IOException, InterruptedException {
        if (access.amplitudeKey() == null || access.amplitudeSecret() == null) {
            throw new IOException(
                    "amplitude-export needs CATCHMENT_AMPLITUDE_API_KEY and CATCHMENT_AMPLITUDE_SECRET_KEY");
        }
        String range = HOUR.format(start) + "-" + HOUR.format(end);
        URI u = URI.create(access.amplitudeHost().replaceAll("/$", "") + "/api/2/export?start=" + HOUR.format(start)
                + "&end=" + HOUR.format(end));
        HttpResponse<InputStream> r =
                send(u, basic(access.amplitudeKey(), access.amplitudeSecret()), "amplitude " + range, false);
        try (InputStream body = r.body()) {
            if (r.statusCode() == 404) {
                LOG.info("Amplitude export {}: no data", range);
                return;
            }
            if (r.statusCode() == 400 && end.isAfter(start)) {
                long hours = Duration.between(start, end).toHours();
                LocalDateTime mid = start.plusHours(hours / 2);
                LOG.info("Amplitude export {} is too large (400): splitting at {}", range, HOUR.format(mid));
                amplitude(start, mid, v);
                amplitude(mid.plusHours(1), end, v);
                return;
            }
            if (r.statusCode() != 200) {
                throw new IOException("Amplitude export " + range + " answered " + r.statusCode() + ": "
                        + new String(body.readNBytes(500), StandardCharsets.UTF_8));
            }
            Archives.walk("amplitude-export-" + range + ".zip", body, v);
        }
    }

    private void mixpanel(LocalDate day, String projectId, Archives.Visitor v)
            throws IOException, InterruptedException {
        if (access.mixpanelSecret() == null) {
            throw new IOException("mixpanel-export needs CATCHMENT_MIXPANEL_SECRET (project secret, or a service "
                    + "account's secret with CATCHMENT_MIXPANEL_USER)");
        }
        long wait = lastMixpanel + MIXPANEL_SPACING.toMillis() - System.currentTimeMillis();
        if (wait > 0) Thread.sleep(wait);
        lastMixpanel = System.currentTimeMillis();
        URI u = URI.create(access.mixpanelHost().replaceAll("/$", "") + "/api/2.0/export?from_date=" + day + "&to_date="
                + day + (projectId != null ? "&project_id=" + projectId : ""));
        String user = access.mixpanelUser() != null ? access.mixpanelUser() : access.mixpanelSecret();
        String pass = access.mixpanelUser() != null ? access.mixpanelSecret() : "";
        HttpResponse<InputStream> r = send(u, basic(user, pass), "mixpanel " + day, true);
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("Mixpanel export " + day + " answered " + r.statusCode() + ": "
                        + new String(body.readNBytes(500), StandardCharsets.UTF_8));
            }
            boolean gzip = r.headers()
                    .firstValue("Content-Encoding")
                    .map(e -> e.contains("gzip"))
                    .orElse(false);
            Archives.walk("mixpanel-export-" + day + (gzip ? ".ndjson.gz" : ".ndjson"), body, v);
        }
    }

    /** GET with retries: 5xx, 429 (after Retry-After) and network errors, up to 8 tries with backoff. */
    private HttpResponse<InputStream> send(URI u, String auth, String what, boolean gzip)
            throws IOException, InterruptedException {
        long backoff = 1000;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpRequest.Builder b =
                        HttpRequest.newBuilder(u).header("Authorization", auth).timeout(Duration.ofMinutes(30));
                if (gzip) b.header("Accept-Encoding", "gzip");
                HttpResponse<InputStream> r = client.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                int s = r.statusCode();
                if ((s >= 500 || s == 429) && attempt < 8) {
                    long retryAfter = r.headers()
                                    .firstValue("Retry-After")
                                    .map(ExportApis::seconds)
                                    .orElse(0L)
                            * 1000;
                    r.body().close();
                    long sleep = Math.max(backoff, retryAfter);
                    LOG.warn("Export {} answered {}: retrying in {} ms", what, s, sleep);
                    Thread.sleep(sleep);
                    backoff = Math.min(backoff * 2, 60_000);
                    continue;
                }
                return r;
            } catch (java.net.http.HttpTimeoutException | java.net.ConnectException e) {
                if (attempt >= 8) throw e;
                LOG.warn("Export {} failed ({}): retrying in {} ms", what, e.toString(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
    }

    private static long seconds(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String basic(String user, String pass) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String uri) {
        Map<String, String> q = new LinkedHashMap<>();
        int i = uri.indexOf('?');
        if (i < 0) return q;
        for (String p : uri.substring(i + 1).split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) q.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static String need(Map<String, String> q, String k, String uri) throws IOException {
        String v = q.get(k);
        if (v == null || v.isEmpty()) throw new IOException(uri + ": missing " + k + "=");
        return v;
    }
}
