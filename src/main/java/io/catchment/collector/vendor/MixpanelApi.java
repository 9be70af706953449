package io.catchment.collector.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.format.InvalidEventException;
import io.catchment.format.MixpanelFormat;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mixpanel's ingestion API. {@code /track} and {@code /engage} take {@code data=<base64 JSON object or array>} as a
 * form field (POST, optionally gzipped) or a query parameter (GET); the token is in each event
 * ({@code properties.token} / {@code $token}). They answer {@code 1}, or {@code {"status":1}} with
 * {@code verbose=1}; a refused request answers {@code 0} (or {@code {"status":0,"error":…}}) with a 400, or 401 for an
 * unknown token. {@code POST /import} takes a JSON array or NDJSON with the token as Basic auth user; with
 * {@code strict=1} each record must have event, time, distinct_id and $insert_id; valid records are imported and the
 * invalid ones listed in {@code failed_records} (400).
 */
public final class MixpanelApi {
    static final long TRACK_BYTES = 2 << 20;
    static final long IMPORT_BYTES = 10L << 20;
    static final int IMPORT_EVENTS = 2000;

    private final Collector collector;
    private final Auth auth;

    public MixpanelApi(Collector collector, Auth auth) {
        this.collector = collector;
        this.auth = auth;
    }

    /** The decoded {@code data} of a /track or /engage request (form field or query parameter). */
    static JsonNode data(Context ctx, byte[] body, boolean verbose) {
        String data = ctx.queryParam("data");
        if (body.length > 0 && Requests.isForm(ctx, body)) {
            String field = Requests.form(body).get("data");
            if (field != null) data = field;
        } else if (data == null && body.length > 0) {
            return Requests.json(body, m -> refuse(400, verbose, m));
        }
        if (data == null || data.isBlank()) throw refuse(400, verbose, "missing data: send data=<base64 of the JSON>");
        String t = data.trim();
        byte[] json = t.startsWith("{") || t.startsWith("[")
                ? t.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : Requests.base64(t);
        if (json == null) throw refuse(400, verbose, "data is not base64");
        return Requests.json(json, m -> refuse(400, verbose, "data is not JSON: " + m));
    }

    static HttpProblem refuse(int status, boolean verbose, String error) {
        if (!verbose) return HttpProblem.text(status, status == 401 ? "unauthorized" : "invalid", "0");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("status", 0);
        b.put("error", error);
        return new HttpProblem(status, status == 401 ? "unauthorized" : "invalid", b);
    }

    static boolean verbose(Context ctx) {
        return "1".equals(ctx.queryParam("verbose"));
    }

    /** /track or /engage with their data already decoded. */
    void trackOrEngage(Context ctx, JsonNode data, boolean engage, long start) {
        boolean verbose = verbose(ctx);
        List<JsonNode> items = new ArrayList<>();
        if (data.isArray()) data.forEach(items::add);
        else items.add(data);
        collector.received(items.size());
        if (items.isEmpty()) throw refuse(400, verbose, "data holds no " + (engage ? "updates" : "events"));
        Instant receivedAt = Instant.now();
        List<Event> events = new ArrayList<>(items.size());
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof ObjectNode o)) {
                errors.add("item " + i + " is not a JSON object");
                continue;
            }
            String source = auth.sourceOf(MixpanelFormat.token(o));
            if (source == null) {
                collector.rejected("unauthorized", items.size());
                throw refuse(
                        401,
                        verbose,
                        MixpanelFormat.token(o) == null ? "item " + i + " has no token" : "invalid token");
            }
            try {
                events.add(
                        engage
                                ? MixpanelFormat.engage(o, i, source, receivedAt)
                                : MixpanelFormat.toEvent(o, i, source, receivedAt));
            } catch (InvalidEventException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            collector.rejected("invalid", items.size());
            throw refuse(400, verbose, String.join("; ", errors.subList(0, Math.min(20, errors.size()))));
        }
        collector.accept(events, start);
        ok(ctx, verbose);
    }

    static void ok(Context ctx, boolean verbose) {
        if (verbose) ctx.contentType("application/json").result("{\"status\":1,\"error\":null}");
        else ctx.contentType("text/plain").result("1");
    }

    public void importEvents(Context ctx) throws IOException {
        long start = System.nanoTime();
        boolean strict = "1".equals(ctx.queryParam("strict"));
        String source = auth.sourceOf(Auth.headerKey(ctx));
        if (source == null) source = auth.sourceOf(ctx.queryParam("project_token"));
        if (source == null) {
            throw new HttpProblem(
                    401,
                    "unauthorized",
                    Map.of(
                            "code",
                            401,
                            "error",
                            "Invalid credentials: send the project " + "token as the Basic auth user",
                            "status",
                            "Unauthorized"));
        }
        byte[] body = Requests.body(
                ctx,
                IMPORT_BYTES,
                m -> new HttpProblem(
                        413,
                        "too_large",
                        Map.of(
                                "code",
                                413,
                                "error",
                                "request body is over " + IMPORT_BYTES + " bytes",
                                "status",
                                "Payload Too Large")));
        java.util.function.Function<String, HttpProblem> bad =
                m -> new HttpProblem(400, "invalid", Map.of("code", 400, "error", m, "status", "Bad Request"));
        int first = 0;
        while (first < body.length && Character.isWhitespace(body[first])) first++;
        JsonNode root =
                first < body.length && body[first] == '[' ? Requests.json(body, bad) : Requests.ndjson(body, bad);
        if (root.size() > IMPORT_EVENTS)
            throw bad.apply("at most " + IMPORT_EVENTS + " records per request; got " + root.size());
        collector.received(root.size());
        Instant receivedAt = Instant.now();
        List<Event> events = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            List<String[]> problems = strict ? MixpanelFormat.validateImport(item) : List.of();
            if (problems.isEmpty()) {
                try {
                    if (!(item instanceof ObjectNode o))
                        throw new InvalidEventException(i, "event", "the record is not an object");
                    events.add(MixpanelFormat.toEvent(o, i, source, receivedAt));
                    continue;
                } catch (InvalidEventException e) {
                    problems =
                            List.<String[]>of(new String[] {e.field() == null ? "event" : e.field(), e.getMessage()});
                }
            }
            for (String[] p : problems) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("index", i);
                JsonNode insertId = item.path("properties").get("$insert_id");
                f.put("$insert_id", insertId == null ? null : insertId.asText());
                f.put("field", p[0]);
                f.put("message", p[1]);
                failed.add(f);
            }
        }
        if (!events.isEmpty()) collector.accept(events, start);
        if (!failed.isEmpty()) {
            collector.rejected("invalid", root.size() - events.size());
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("code", 400);
            b.put("error", "some data points in the request failed validation");
            b.put("failed_records", failed.subList(0, Math.min(1000, failed.size())));
            b.put("num_records_imported", events.size());
            b.put("status", "Bad Request");
            throw new HttpProblem(400, "invalid", b);
        }
        ctx.contentType("application/json")
                .result("{\"code\":200,\"num_records_imported\":" + events.size() + ",\"status\":\"OK\"}");
    }
}
