package io.catchment.collector.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.format.AmplitudeFormat;
import io.catchment.format.InvalidEventException;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Amplitude's HTTP V2 ({@code POST /2/httpapi}) and Batch ({@code POST /batch}) APIs. The key is the body's
 * {@code api_key}. A request is all or nothing, with Amplitude's answers: 200
 * {@code {"code":200,"events_ingested":N,"payload_size_bytes":B,"server_upload_time":ms}}; 400 with
 * {@code missing_field}, {@code events_with_invalid_fields} and {@code events_with_missing_fields} (event indexes by
 * field); 413 {@code {"code":413,"error":"Payload too large"}}. Limits: HTTP V2 1 MB and 2,000 events, Batch 20 MB.
 */
public final class AmplitudeApi {
    static final long HTTPAPI_BYTES = 1 << 20;
    static final long BATCH_BYTES = 20L << 20;
    static final int HTTPAPI_EVENTS = 2000;

    private final Collector collector;
    private final Auth auth;

    public AmplitudeApi(Collector collector, Auth auth) {
        this.collector = collector;
        this.auth = auth;
    }

    static HttpProblem bad(String error) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("code", 400);
        b.put("error", error);
        return new HttpProblem(400, "invalid", b);
    }

    static HttpProblem tooLarge() {
        return new HttpProblem(413, "too_large", Map.of("code", 413, "error", "Payload too large"));
    }

    /**
     * The browser SDK's remote configuration ({@code GET /config/:apiKey?config_group=browser}, asked for before the
     * SDK sends anything when its {@code remoteConfig.serverUrl} points at Catchment): no remote overrides and SDK
     * diagnostics off, so the SDK talks to no Amplitude host. An unknown key gets 401, on which the SDK stops asking.
     */
    public void remoteConfig(Context ctx) {
        if (auth.sourceOf(ctx.pathParam("apiKey")) == null) {
            throw new HttpProblem(401, "unauthorized", Map.of("code", 401, "error", "Invalid API key"));
        }
        ctx.json(Map.of(
                "configs",
                Map.of(
                        "analyticsSDK",
                        Map.of("browserSDK", Map.of()),
                        "diagnostics",
                        Map.of("browserSDK", Map.of("enabled", false, "sampleRate", 0)))));
    }

    public void httpApi(Context ctx) throws IOException {
        long start = System.nanoTime();
        byte[] body = Requests.body(ctx, HTTPAPI_BYTES, m -> tooLarge());
        handle(ctx, Requests.json(body, AmplitudeApi::bad), body.length, HTTPAPI_EVENTS, start);
    }

    /** {@code /batch} with a parsed body (the route is shared with PostHog, which tells them apart). */
    void batch(Context ctx, JsonNode root, int bytes, long start) {
        handle(ctx, root, bytes, Integer.MAX_VALUE, start);
    }

    private void handle(Context ctx, JsonNode root, int bytes, int maxEvents, long start) {
        if (!(root instanceof ObjectNode o)) throw bad("Invalid request: the body must be a JSON object");
        JsonNode key = o.get("api_key");
        if (key == null || !key.isTextual() || key.textValue().isEmpty()) {
            HttpProblem p = bad("Request missing required field");
            p.body().put("missing_field", "api_key");
            throw p;
        }
        String source = auth.sourceOf(key.textValue());
        if (source == null) throw bad("Invalid API key: " + abbreviate(key.textValue()));
        JsonNode events = o.get("events");
        if (events == null || !events.isArray()) {
            HttpProblem p = bad("Request missing required field");
            p.body().put("missing_field", "events");
            throw p;
        }
        if (events.size() > maxEvents) throw tooLarge();
        int minIdLength = o.path("options").path("min_id_length").isInt()
                ? o.path("options").get("min_id_length").intValue()
                : AmplitudeFormat.DEFAULT_MIN_ID_LENGTH;
        collector.received(events.size());
        if (events.isEmpty()) {
            HttpProblem p = bad("Request missing required field");
            p.body().put("missing_field", "events");
            throw p;
        }
        Map<String, List<Integer>> invalid = new TreeMap<>();
        Map<String, List<Integer>> missing = new TreeMap<>();
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            for (AmplitudeFormat.Problem p : AmplitudeFormat.validate(events.get(i), i, minIdLength)) {
                (p.missing() ? missing : invalid)
                        .computeIfAbsent(p.field(), f -> new ArrayList<>())
                        .add(i);
                if (messages.size() < 100) messages.add(p.message());
            }
        }
        Instant receivedAt = Instant.now();
        List<Event> out = new ArrayList<>(events.size());
        if (invalid.isEmpty() && missing.isEmpty()) {
            for (int i = 0; i < events.size(); i++) {
                try {
                    out.add(AmplitudeFormat.toEvent((ObjectNode) events.get(i), i, source, receivedAt));
                } catch (InvalidEventException e) {
                    invalid.computeIfAbsent(e.field() == null ? "event" : e.field(), f -> new ArrayList<>())
                            .add(i);
                    messages.add(e.getMessage());
                }
            }
        }
        if (!invalid.isEmpty() || !missing.isEmpty()) {
            collector.rejected("invalid", events.size());
            HttpProblem p =
                    bad(missing.isEmpty() ? "Invalid field values on some events" : "Request missing required field");
            if (!missing.isEmpty())
                p.body().put("missing_field", missing.keySet().iterator().next());
            p.body().put("events_with_invalid_fields", invalid);
            p.body().put("events_with_missing_fields", missing);
            p.body().put("messages", messages);
            throw p;
        }
        collector.accept(out, start);
        ctx.contentType("application/json")
                .result("{\"code\":200,\"events_ingested\":" + out.size() + ",\"payload_size_bytes\":" + bytes
                        + ",\"server_upload_time\":" + System.currentTimeMillis() + "}");
    }

    private static String abbreviate(String s) {
        return s.length() <= 8 ? s : s.substring(0, 4) + "…";
    }
}
