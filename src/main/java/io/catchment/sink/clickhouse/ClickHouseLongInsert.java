package io.catchment.sink.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An INSERT whose statement is too long for a URL: ClickHouse's HTTP interface takes the statement from the start of
 * the POST body when the URL names none, so the statement, a newline and the rows go in the body (written to a
 * temporary file first, then sent from it). The official client puts the statement in the URL's {@code query} parameter,
 * which ClickHouse 18.16 refuses past about 16 KB with a bare HTTP 400 (measured: an INSERT naming 400 columns of 40
 * characters, 17,127 characters, got 400; the same statement in the body, 200); a table with hundreds of columns
 * (real product events) reaches that. Failures are {@link ClickHouse.ClickHouseFailure}s, classified as the client's
 * are. Thread-safe.
 */
final class ClickHouseLongInsert implements AutoCloseable {
    /** Statements longer than this go in the body (well under 16 KB once URL-encoded). */
    static final int MAX_URL_STATEMENT = 4_000;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    ClickHouseLongInsert(String url, String user, String password) {
        String base = url.endsWith("/") ? url : url + "/";
        this.endpoint = URI.create(base + "?user=" + enc(user) + "&password=" + enc(password == null ? "" : password)
                + "&date_time_input_format=best_effort");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    void insert(String statement, ClickHouse.Body rows) {
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("catchment-insert-", ".tsv");
            try (OutputStream out =
                    new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 1 << 16)) {
                out.write(statement.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                rows.write(out);
            }
            HttpRequest req = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(300))
                    .POST(HttpRequest.BodyPublishers.ofFile(file))
                    .build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw ClickHouse.ClickHouseFailure.of(
                        statement, new IOException(r.body().strip() + " (HTTP " + r.statusCode() + ")"));
            }
        } catch (IOException e) {
            throw ClickHouse.ClickHouseFailure.of(statement, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClickHouse.ClickHouseFailure.of(statement, e);
        } finally {
            if (file != null) file.toFile().delete();
        }
    }

    @Override
    public void close() {
        // HttpClient has no close on Java 17; its threads are daemons
    }
}
