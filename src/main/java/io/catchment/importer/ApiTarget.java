package io.catchment.importer;

import io.catchment.deadletter.DeadLetter;
import io.catchment.sink.ImportCheckpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A running server's {@code POST /v1/events}. Bad lines go to a file next to the data. */
public final class ApiTarget implements ImportTarget {
    final String base;
    final String key;
    final String why;
    final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Rejects rejects;

    public ApiTarget(String base, String key, String why, Path data, String jobId) throws Unreachable {
        this.base = base;
        this.key = key;
        this.why = why;
        try {
            this.rejects = new Rejects(data, jobId);
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new Unreachable(why + ", but " + base + " answers " + r.statusCode());
        } catch (IOException | InterruptedException e) {
            throw new Unreachable(why + ", but its API at " + base + " is unreachable (" + e + "): pass --url");
        }
    }

    public String describe() {
        return why + ": sending to its API at " + base + " (it loads them; no checkpoints, re-runs are deduplicated)";
    }

    public void batch(byte[] ndjson, long[] lines, int count, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad)
            throws Exception {
        for (byte[] chunk : ImportTarget.chunks(ndjson, 512 * 1024)) {
            for (int attempt = 1; ; attempt++) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(chunk))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) break;
                if (r.statusCode() < 500 && r.statusCode() != 429 || attempt >= 10) {
                    throw new IOException("the server refused a batch: " + r.statusCode() + " " + r.body());
                }
                Thread.sleep(Math.min(30_000, 200L << attempt));
            }
        }
        rejects.add(bad);
    }

    public void close() throws Exception {
        rejects.close();
    }
}
