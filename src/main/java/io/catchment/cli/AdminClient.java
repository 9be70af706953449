package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options and HTTP calls every admin command shares: where the server is and the admin key. Mixed into commands
 * with {@code @Mixin}.
 */
public final class AdminClient {
    @Option(
            names = "--url",
            description = "server URL (default: $CATCHMENT_URL, else http://127.0.0.1:$CATCHMENT_PORT or 8080)")
    String url;

    @Option(
            names = "--key",
            description = "admin key (default: $CATCHMENT_ADMIN_KEY, else the key generated in --data-dir)")
    String key;

    @Option(
            names = "--data-dir",
            description = "where to find a generated admin key (default: ${DEFAULT-VALUE})",
            defaultValue = "./data")
    String dataDir;

    /** A non-2xx answer, or no answer: carries the exit code the command should return. */
    public static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    String base() {
        String b = url != null
                ? url
                : System.getenv()
                        .getOrDefault(
                                "CATCHMENT_URL",
                                "http://127.0.0.1:" + System.getenv().getOrDefault("CATCHMENT_PORT", "8080"));
        return b.replaceAll("/$", "");
    }

    JsonNode get(String path) throws Failure, IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
    }

    JsonNode post(String path, Object body) throws Failure, IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EventJson.MAPPER.writeValueAsBytes(body))));
    }

    private JsonNode send(HttpRequest.Builder b) throws Failure, IOException, InterruptedException {
        String k = key != null ? key : Cli.adminKey(dataDir);
        HttpResponse<String> r;
        try {
            r = HttpClient.newHttpClient()
                    .send(
                            b.header("Authorization", "Bearer " + k)
                                    .timeout(Duration.ofMinutes(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(
                    Cli.UNREACHABLE, "cannot reach Catchment at " + base() + " (is `catchment serve` running?)");
        }
        JsonNode body;
        try {
            body = EventJson.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(Cli.FAILURE, "HTTP " + r.statusCode() + ": " + r.body());
        }
        if (r.statusCode() / 100 != 2) {
            throw new Failure(
                    Cli.FAILURE,
                    "HTTP " + r.statusCode() + ": " + body.path("error").asText(r.body()));
        }
        return body;
    }
}
