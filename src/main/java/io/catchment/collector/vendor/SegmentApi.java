package io.catchment.collector.vendor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.format.InvalidEventException;
import io.catchment.format.SegmentFormat;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Segment's HTTP Tracking API: {@code POST /v1/track|identify|page|screen|group|alias|batch|import}, with or without
 * a trailing slash. The write key is the body's {@code writeKey} or the Basic auth user. 200 {@code {"success":true}}
 * when every message is accepted; 400 names each bad message (none is accepted); 401 for an unknown write key.
 * Limits as Segment's: 32 KB per message, 500 KB per request, 2,500 messages per batch. Also what analytics.js
 * (analytics-next) needs in a browser: its short routes ({@code /v1/t|p|i|g|a|s|b}, a {@code text/plain} JSON body
 * with the write key inside) and the project settings it fetches first.
 */
public final class SegmentApi {
    static final int MAX_EVENT_BYTES = 32 * 1024;
    static final int MAX_REQUEST_BYTES = 500 * 1024;
    static final int MAX_BATCH = 2500;
    private static final List<String> SINGLE = List.of("track", "identify", "page", "screen", "group", "alias");

    private final Collector collector;
    private final Auth auth;

    public SegmentApi(Collector collector, Auth auth) {
        this.collector = collector;
        this.auth = auth;
    }

    public void routes(Javalin app) {
        for (String type : SINGLE) {
            // analytics.js (analytics-next) posts to the short routes, /v1/t for a track and so on
            String shortPath = "/v1/" + type.charAt(0);
            for (String path : new String[] {"/v1/" + type, "/v1/" + type + "/", shortPath, shortPath + "/"}) {
                app.post(path, ctx -> handle(ctx, type));
            }
        }
        for (String path : new String[] {"/v1/batch", "/v1/batch/", "/v1/import", "/v1/import/", "/v1/b", "/v1/b/"}) {
            app.post(path, ctx -> handle(ctx, null));
        }
        app.get("/v1/projects/{writeKey}/settings", this::settings);
    }

    /**
     * What analytics.js fetches from its CDN before it sends anything ({@code cdnURL} pointed at Catchment): the
     * project's settings, with the Segment.io destination's {@code apiHost} pointing back at the host and scheme the
     * request came through ({@code X-Forwarded-Host}/{@code -Proto} honoured), no device-mode destinations, no remote
     * plugins and no SDK telemetry. An unknown write key gets 404, as from Segment's CDN.
     */
    private void settings(Context ctx) {
        String key = ctx.pathParam("writeKey");
        if (auth.sourceOf(key) == null) {
            throw new HttpProblem(
                    404, "unauthorized", Map.of("success", false, "error", "no project with this write key"));
        }
        ctx.json(SegmentSettings.of(key, Requests.origin(ctx) + "/v1"));
    }

    /** The body: its top-level fields, and the batch's messages with their sizes in bytes (read in one pass). */
    private record Parsed(ObjectNode root, List<ObjectNode> batch, List<Integer> sizes) {}

    private static Parsed parse(byte[] body) {
        ObjectNode root = io.catchment.event.EventJson.MAPPER.createObjectNode();
        List<ObjectNode> batch = null;
        List<Integer> sizes = null;
        try (com.fasterxml.jackson.core.JsonParser p =
                io.catchment.event.EventJson.MAPPER.getFactory().createParser(body)) {
            try {
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT)
                    throw bad("the body must be a JSON object");
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                    if (field.equals("batch") && t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        batch = new ArrayList<>();
                        sizes = new ArrayList<>();
                        for (t = p.nextToken();
                                t != com.fasterxml.jackson.core.JsonToken.END_ARRAY;
                                t = p.nextToken()) {
                            if (t != com.fasterxml.jackson.core.JsonToken.START_OBJECT)
                                throw bad("message " + batch.size() + " is not a JSON object");
                            long start = p.currentTokenLocation().getByteOffset();
                            batch.add(io.catchment.event.EventJson.MAPPER.readTree(p));
                            sizes.add((int) (p.currentLocation().getByteOffset() - start));
                        }
                    } else {
                        root.set(field, io.catchment.event.EventJson.MAPPER.readTree(p));
                    }
                }
                if (p.nextToken() != null) throw bad("unexpected data after the JSON object");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // a limit has no location: name the field
                throw bad(io.catchment.event.ParseErrors.describe(e, p));
            }
        } catch (java.io.IOException e) {
            throw bad("cannot read the body: " + e.getMessage());
        }
        return new Parsed(root, batch, sizes);
    }

    private static HttpProblem bad(String message) {
        return new HttpProblem(400, "invalid", Map.of("success", false, "error", message));
    }

    /** One Segment route; {@code type} is the route's ({@code /v1/track} → track), null for batch and import. */
    void handle(Context ctx, String type) throws IOException {
        long start = System.nanoTime();
        byte[] body = Requests.body(
                ctx,
                MAX_REQUEST_BYTES,
                m -> bad("the request is over Segment's limit of " + MAX_REQUEST_BYTES + " bytes"));
        Parsed parsed = parse(body);
        ObjectNode o = parsed.root();
        String key = o.path("writeKey").isTextual() ? o.get("writeKey").textValue() : Auth.headerKey(ctx);
        String source = auth.sourceOf(key);
        if (source == null) {
            throw new HttpProblem(
                    401,
                    "unauthorized",
                    Map.of(
                            "success",
                            false,
                            "error",
                            key == null
                                    ? "missing write key: send writeKey in the body or as the Basic auth user"
                                    : "invalid write key"));
        }
        List<ObjectNode> messages;
        List<Integer> sizes;
        ObjectNode batch = null;
        if (type == null) {
            if (parsed.batch() == null) throw bad("a batch request needs a \"batch\" array");
            messages = parsed.batch();
            sizes = parsed.sizes();
            if (messages.size() > MAX_BATCH)
                throw bad("a batch holds at most " + MAX_BATCH + " messages; got " + messages.size());
            batch = o;
        } else {
            messages = List.of(o);
            sizes = List.of(body.length);
        }
        collector.received(messages.size());
        if (messages.isEmpty()) throw bad("the batch holds no messages");
        Instant receivedAt = Instant.now();
        List<Event> events = new ArrayList<>(messages.size());
        List<Map<String, Object>> errors = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ObjectNode m = messages.get(i);
            try {
                int size = sizes.get(i);
                if (size > MAX_EVENT_BYTES) {
                    throw new InvalidEventException(
                            i,
                            null,
                            "message " + i + " is " + size + " bytes, over Segment's limit of " + MAX_EVENT_BYTES);
                }
                events.add(SegmentFormat.toEvent(m, i, type, batch, source, receivedAt));
            } catch (InvalidEventException e) {
                Map<String, Object> err = new LinkedHashMap<>();
                err.put("index", i);
                if (e.field() != null) err.put("field", e.field());
                err.put("message", e.getMessage());
                errors.add(err);
            }
        }
        if (!errors.isEmpty()) {
            collector.rejected("invalid", messages.size());
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("success", false);
            b.put(
                    "error",
                    errors.size() == 1
                            ? errors.get(0).get("message")
                            : errors.size() + " of " + messages.size() + " messages are invalid; none was accepted");
            b.put("errors", errors.subList(0, Math.min(100, errors.size())));
            throw new HttpProblem(400, "invalid", b);
        }
        collector.accept(events, start);
        ctx.contentType("application/json").result("{\"success\":true}");
    }
}
