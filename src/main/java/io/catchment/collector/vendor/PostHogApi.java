package io.catchment.collector.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.format.InvalidEventException;
import io.catchment.format.PostHogFormat;
import io.catchment.format.Times;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostHog's capture API ({@code /batch}, {@code /capture}, {@code /e}, {@code /i/v0/e}, {@code /track},
 * {@code /engage}, each with or without a trailing slash) and the routes it shares with Amplitude ({@code /batch})
 * and Mixpanel ({@code /track}, {@code /engage}), which this class tells apart by the body: an object with an
 * {@code events} array is Amplitude's; form or query {@code data} whose events carry no PostHog-only key
 * ({@code api_key}, {@code batch}, {@code uuid}, {@code timestamp}, top-level {@code distinct_id}) is Mixpanel's.
 *
 * <p>Bodies: an array of events, {@code {"api_key"|"token", "batch":[…], "sent_at"}}, or a single event; gzip
 * (header, magic bytes or {@code compression=gzip-js}), {@code compression=lz64|base64}, or legacy form
 * {@code data=}. All or nothing: 200 {@code {"status":1}}, 400/401 in PostHog's error shape.
 */
public final class PostHogApi {
    static final long BATCH_BYTES = 20L << 20;
    static final long CAPTURE_BYTES = 2L << 20;

    private final Collector collector;
    private final Auth auth;
    private final AmplitudeApi amplitude;
    private final MixpanelApi mixpanel;

    public PostHogApi(Collector collector, Auth auth, AmplitudeApi amplitude, MixpanelApi mixpanel) {
        this.collector = collector;
        this.auth = auth;
        this.amplitude = amplitude;
        this.mixpanel = mixpanel;
    }

    public void routes(Javalin app) {
        for (String p : new String[] {"/batch", "/capture", "/e", "/i/v0/e", "/track", "/engage"}) {
            app.post(p, this::handle);
            app.post(p + "/", this::handle);
        }
        for (String p : new String[] {"/track", "/engage", "/e", "/capture"}) {
            app.get(p, this::handle);
            app.get(p + "/", this::handle);
        }
    }

    static HttpProblem bad(String detail) {
        return problem(400, "validation_error", "invalid_payload", detail);
    }

    private static HttpProblem unauthorized(String detail) {
        return problem(401, "authentication_error", "invalid_api_key", detail);
    }

    /** PostHog's error shape (plus Catchment's usual {@code error}). */
    private static HttpProblem problem(int status, String type, String code, String detail) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", type);
        b.put("code", code);
        b.put("detail", detail);
        b.put("attr", null);
        b.put("error", detail);
        return new HttpProblem(status, status == 401 ? "unauthorized" : "invalid", b);
    }

    /** Every PostHog route (and the shared ones), told apart by {@code ctx.path()}. */
    void handle(Context ctx) throws IOException {
        long start = System.nanoTime();
        String path = ctx.path().endsWith("/") && ctx.path().length() > 1
                ? ctx.path().substring(0, ctx.path().length() - 1)
                : ctx.path();
        boolean shared = path.equals("/track") || path.equals("/engage");
        long limit = path.equals("/batch") ? BATCH_BYTES : CAPTURE_BYTES;
        // an over-size body is not read, so Amplitude's and PostHog's cannot be told apart: the answer fits both
        byte[] body = Requests.body(ctx, limit, PostHogApi::tooLarge);
        JsonNode root;
        if (shared && !isPostHogCompression(ctx)) {
            root = MixpanelApi.data(ctx, body, MixpanelApi.verbose(ctx));
            if (!isPostHog(root)) {
                mixpanel.trackOrEngage(ctx, root, path.equals("/engage"), start);
                return;
            }
        } else {
            root = decode(ctx, body, limit);
        }
        if (path.equals("/batch") && root instanceof ObjectNode o && o.has("events") && !o.has("batch")) {
            amplitude.batch(ctx, root, body.length, start);
            return;
        }
        capture(ctx, root, start);
    }

    private static boolean isPostHogCompression(Context ctx) {
        String c = ctx.queryParam("compression");
        return c != null && !c.isEmpty();
    }

    /** Whether decoded data from a shared route is PostHog's rather than Mixpanel's. */
    private static boolean isPostHog(JsonNode root) {
        if (root instanceof ObjectNode o && (o.has("api_key") || o.has("batch"))) return true;
        JsonNode first = root.isArray() && root.size() > 0 ? root.get(0) : root;
        return first.has("uuid") || first.has("timestamp") || first.has("distinct_id") || first.has("api_key");
    }

    private static HttpProblem tooLarge(String detail) {
        return new HttpProblem(
                413,
                "too_large",
                Map.of("code", 413, "error", "Payload too large", "type", "validation_error", "detail", detail));
    }

    /**
     * Decodes the body by its compression: gzip (already undone), lz64, base64, or form {@code data=}; lz64 that
     * decompresses to more than {@code limit} characters is refused as too large.
     */
    static JsonNode decode(Context ctx, byte[] body, long limit) {
        String compression = ctx.queryParam("compression");
        String text = null;
        if (body.length > 0 && Requests.isForm(ctx, body)) {
            text = Requests.form(body).get("data");
            if (text == null) throw bad("the form has no data field");
        } else if (body.length == 0 && ctx.queryParam("data") != null) {
            text = ctx.queryParam("data");
        }
        if ("lz64".equals(compression)) {
            String in = text != null ? text : new String(body, StandardCharsets.UTF_8);
            String json;
            try {
                json = LzString.decompressFromBase64(in, limit);
            } catch (LzString.TooLong e) {
                throw tooLarge(e.getMessage() + " (the request limit)");
            }
            if (json == null) throw bad("the body is not lz64 (lz-string base64) data");
            return Requests.json(json.getBytes(StandardCharsets.UTF_8), PostHogApi::bad);
        }
        if (text != null || "base64".equals(compression)) {
            String in = (text != null ? text : new String(body, StandardCharsets.UTF_8)).trim();
            if (in.startsWith("{") || in.startsWith("["))
                return Requests.json(in.getBytes(StandardCharsets.UTF_8), PostHogApi::bad);
            byte[] raw = Requests.base64(in);
            if (raw == null) throw bad("data is not base64");
            return Requests.json(io.catchment.collector.Bodies.decode(raw, null, limit), PostHogApi::bad);
        }
        return Requests.json(body, PostHogApi::bad);
    }

    private void capture(Context ctx, JsonNode root, long start) {
        List<ObjectNode> items = new ArrayList<>();
        String key = null;
        Instant sentAt = null;
        if (root.isArray()) {
            for (JsonNode n : root) {
                if (!(n instanceof ObjectNode o)) throw bad("event " + items.size() + " is not a JSON object");
                items.add(o);
            }
        } else if (root instanceof ObjectNode o && o.has("batch")) {
            if (!o.get("batch").isArray()) throw bad("batch must be an array");
            for (JsonNode n : o.get("batch")) {
                if (!(n instanceof ObjectNode e)) throw bad("event " + items.size() + " is not a JSON object");
                items.add(e);
            }
            key = PostHogFormat.token(o);
            sentAt = sentAt(o);
        } else if (root instanceof ObjectNode o) {
            items.add(o);
            sentAt = sentAt(o);
        } else {
            throw bad("the body must be an event, an array of events or a batch object");
        }
        collector.received(items.size());
        if (items.isEmpty()) throw bad("the batch holds no events");
        Instant receivedAt = Instant.now();
        List<Event> events = new ArrayList<>(items.size());
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ObjectNode e = items.get(i);
            String k = key != null ? key : PostHogFormat.token(e);
            if (k == null) k = Auth.headerKey(ctx);
            String source = auth.sourceOf(k);
            if (source == null) {
                collector.rejected("unauthorized", items.size());
                throw unauthorized(
                        k == null
                                ? "API key is missing: send api_key in the body"
                                : "Project API key invalid. You can find your project API key in your Catchment configuration (write_keys).");
            }
            try {
                events.add(PostHogFormat.toEvent(e, i, source, receivedAt, sentAt));
            } catch (InvalidEventException ex) {
                errors.add(ex.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            collector.rejected("invalid", items.size());
            throw bad(
                    errors.size() == 1
                            ? errors.get(0)
                            : errors.size() + " of " + items.size() + " events are invalid; none was accepted: "
                                    + String.join("; ", errors.subList(0, Math.min(20, errors.size()))));
        }
        collector.accept(events, start);
        ctx.contentType("application/json").result("{\"status\":1}");
    }

    private static Instant sentAt(ObjectNode o) {
        JsonNode s = o.get("sent_at");
        if (s == null || s.isNull()) return null;
        try {
            return Times.parse(s, -1, "sent_at");
        } catch (InvalidEventException e) {
            throw bad("sent_at is not an ISO-8601 date-time");
        }
    }
}
