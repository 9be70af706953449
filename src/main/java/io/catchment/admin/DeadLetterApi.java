package io.catchment.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Bodies;
import io.catchment.collector.HttpProblem;
import io.catchment.deadletter.DeadLetterStore;
import io.catchment.event.EventJson;
import io.catchment.log.EventLog;
import io.catchment.log.EventTooLargeException;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin endpoints for dead letters (admin key): {@code GET /v1/dlq} lists them ({@code reason}, {@code since},
 * {@code all}, {@code limit}), {@code GET /v1/dlq/{key}} shows one, {@code POST /v1/dlq/replay} puts the chosen ones
 * back on the log, and {@code POST /v1/dlq/purge} deletes them. Replay appends each event's canonical JSON, unchanged,
 * so it takes the normal path again (schema rules, duplicate check): replaying twice stores an event once.
 */
public final class DeadLetterApi {
    private static final int REPLAY_CHUNK = 1000;
    private final DeadLetterStore store;
    private final EventLog log;
    private final Auth auth;
    private final io.catchment.metrics.Metrics metrics;

    public DeadLetterApi(DeadLetterStore store, EventLog log, Auth auth, io.catchment.metrics.Metrics metrics) {
        this.store = store;
        this.log = log;
        this.auth = auth;
        this.metrics = metrics;
    }

    public void list(Context ctx) {
        auth.requireAdmin(ctx);
        DeadLetterStore.Filter f = new DeadLetterStore.Filter(
                List.of(),
                ctx.queryParam("reason"),
                since(ctx.queryParam("since")),
                "true".equals(ctx.queryParam("all")));
        int limit = ctx.queryParam("limit") == null ? 100 : parseLimit(ctx.queryParam("limit"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pending", store.pendingDeadLetters());
        out.put(
                "dead_letters",
                store.deadLetters(f, limit).stream().map(DeadLetterApi::json).toList());
        json(ctx, out);
    }

    public void show(Context ctx) {
        auth.requireAdmin(ctx);
        var found = store.deadLetters(new DeadLetterStore.Filter(List.of(ctx.pathParam("key")), null, null, true), 1);
        if (found.isEmpty()) throw HttpProblem.of(404, "not_found", "no dead letter " + ctx.pathParam("key"));
        json(ctx, json(found.get(0)));
    }

    public void replay(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        DeadLetterStore.Filter f = filter(ctx);
        int replayed = 0;
        while (true) {
            List<DeadLetterStore.Entry> batch = store.deadLetters(f, REPLAY_CHUNK);
            if (batch.isEmpty()) break;
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            List<String> keys = new ArrayList<>();
            for (DeadLetterStore.Entry e : batch) {
                record.write(e.event().getBytes(StandardCharsets.UTF_8));
                record.write('\n');
                keys.add(e.key());
            }
            try {
                log.append(record.toByteArray()); // durable before the entries are marked
            } catch (EventTooLargeException e) {
                throw HttpProblem.of(
                        413,
                        "too_large",
                        "dead letter " + keys.get(e.index()) + " is too large for the event log: it " + e.detail()
                                + "; " + replayed + " replayed before it");
            }
            metrics.replayed.increment(keys.size());
            store.markReplayed(keys);
            replayed += batch.size();
            if (batch.size() < REPLAY_CHUNK) break;
        }
        json(ctx, Map.of("replayed", replayed));
    }

    public void purge(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        json(ctx, Map.of("purged", store.purge(filter(ctx))));
    }

    /** Body {@code {"all":true}} or any of {@code keys}, {@code reason}, {@code since}; replayed ones only by key. */
    private static DeadLetterStore.Filter filter(Context ctx) throws IOException {
        byte[] body = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), 1 << 20);
        JsonNode n;
        try {
            n = body.length == 0 ? EventJson.MAPPER.createObjectNode() : EventJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw HttpProblem.of(400, "invalid", "the body must be JSON like {\"all\":true} or {\"reason\":\"…\"}");
        }
        List<String> keys = new ArrayList<>();
        n.path("keys").forEach(k -> keys.add(k.asText()));
        String reason = n.hasNonNull("reason") ? n.get("reason").asText() : null;
        Instant since = since(n.hasNonNull("since") ? n.get("since").asText() : null);
        if (!n.path("all").asBoolean(false) && keys.isEmpty() && reason == null && since == null) {
            throw HttpProblem.of(
                    400, "invalid", "say which dead letters: {\"all\":true}, \"keys\", \"reason\" or \"since\"");
        }
        return new DeadLetterStore.Filter(keys, reason, since, !keys.isEmpty());
    }

    private static Instant since(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw HttpProblem.of(
                    400, "invalid", "since must be an ISO-8601 instant like 2024-05-01T00:00:00Z, got " + s);
        }
    }

    private static int parseLimit(String s) {
        try {
            return Math.max(1, Math.min(10_000, Integer.parseInt(s)));
        } catch (NumberFormatException e) {
            throw HttpProblem.of(400, "invalid", "limit must be a number, got " + s);
        }
    }

    private static Map<String, Object> json(DeadLetterStore.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", e.key());
        m.put("event_id", e.eventId());
        m.put("table", e.table());
        m.put("reason", e.reason());
        m.put("attempts", e.attempts());
        m.put("first_failed_at", String.valueOf(e.firstFailedAt()));
        m.put("last_failed_at", String.valueOf(e.lastFailedAt()));
        m.put("replayed_at", e.replayedAt() == null ? null : e.replayedAt().toString());
        m.put("log_offset", e.logOffset());
        try {
            m.put("event", EventJson.MAPPER.readTree(e.event()));
        } catch (IOException ex) {
            m.put("event", e.event());
        }
        return m;
    }

    private static void json(Context ctx, Object o) {
        try {
            ctx.contentType("application/json").result(EventJson.MAPPER.writeValueAsBytes(o));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
