package io.catchment.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for the tests: POST bodies with a key, run SQL, poll until a condition holds. */
final class Http {
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() throws Exception {
            return EventJson.MAPPER.readTree(body);
        }
    }

    static Reply post(String url, String key, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        headers.forEach(b::header);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    static Reply post(String url, String key, String body) throws Exception {
        return post(url, key, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }

    static Reply put(String url, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    static Reply get(String url) throws Exception {
        return get(url, null);
    }

    static Reply get(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (key != null) b.header("Authorization", "Bearer " + key);
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    /** Runs SQL through /v1/query and returns the rows node; fails the test on a non-200. */
    static JsonNode sql(String baseUrl, String adminKey, String sql) throws Exception {
        Reply r = post(baseUrl + "/v1/query", adminKey, EventJson.MAPPER.writeValueAsString(Map.of("sql", sql)));
        if (r.status() != 200) throw new AssertionError("query failed: " + r.status() + " " + r.body());
        return r.json().path("rows");
    }

    /**
     * Waits for the positive signal that everything the server accepted so far is loaded or dead-lettered: its
     * {@code /v1/status} shows no loader lag and no event in flight. Fails the test when that does not happen in time.
     */
    static void caughtUp(String baseUrl, String adminKey, Duration timeout) throws Exception {
        boolean done = eventually(timeout, () -> {
            JsonNode s = get(baseUrl + "/v1/status", adminKey).json();
            return s.path("loader").path("lag_records").asLong(-1) == 0
                    && s.path("events_since_start").path("in_flight").asLong(-1) == 0;
        });
        if (!done)
            throw new AssertionError("the loader did not catch up in " + timeout + ": "
                    + get(baseUrl + "/v1/status", adminKey).body());
    }

    /**
     * Waits for a loader that loads what other processes accepted (a Kafka group member) to have loaded everything
     * in its partitions: {@code /v1/status} shows no loader lag ({@link #caughtUp}'s in-flight count is that of the
     * process's own collector, so it does not apply). Fails the test when that does not happen in time.
     */
    static void loaderCaughtUp(String baseUrl, String adminKey, Duration timeout) throws Exception {
        boolean done = eventually(
                timeout,
                () -> get(baseUrl + "/v1/status", adminKey)
                                .json()
                                .path("loader")
                                .path("lag_records")
                                .asLong(-1)
                        == 0);
        if (!done)
            throw new AssertionError("the loader did not catch up in " + timeout + ": "
                    + get(baseUrl + "/v1/status", adminKey).body());
    }

    /** Polls until {@code check} returns true or the timeout passes; returns whether it held. */
    /** The first column of the first row of {@code sql} through {@code /v1/query}, as a number. */
    static long count(String base, String adminKey, String sql) throws Exception {
        return sql(base, adminKey, sql).get(0).get(0).asLong();
    }

    /** A metric's value from {@code /metrics} (the line without labels), 0 when absent. */
    static double metric(String base, String name) throws Exception {
        for (String line : get(base + "/metrics").body().split("\n"))
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1));
        return 0;
    }

    static boolean eventually(Duration timeout, java.util.concurrent.Callable<Boolean> check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(check.call())) return true;
            } catch (Exception | AssertionError notYet) {
                // e.g. the table does not exist until the loader's first batch
            }
            Thread.sleep(50);
        }
        return check.call();
    }
}
