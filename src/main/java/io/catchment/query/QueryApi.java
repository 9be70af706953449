package io.catchment.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Bodies;
import io.catchment.collector.HttpProblem;
import io.catchment.config.CatchmentConfig;
import io.catchment.event.EventJson;
import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/query} with {@code {"sql": "...", "max_rows": N}} and the admin key. Answers
 * {@code {"columns":[{"name","type"}],"rows":[[...]],"truncated":bool,"elapsed_ms":N}}. Read-only: the store refuses
 * anything but one SELECT (403); rows are capped at {@code query.max_rows} and time at {@code query.timeout} (408); at
 * most {@code query.max_concurrent} run at once, and one that waits longer than {@code query.queue_wait} for its turn
 * is answered 503 with Retry-After ({@link QuerySlots}). Thread-safe.
 */
public final class QueryApi {
    private final Sink sink;
    private final Auth auth;
    private final int maxRows;
    private final Duration timeout;
    private final QuerySlots slots;

    public QueryApi(Sink sink, Auth auth, CatchmentConfig.Query limits) {
        this.sink = sink;
        this.auth = auth;
        this.maxRows = limits.maxRows();
        this.timeout = limits.timeout();
        this.slots = new QuerySlots(limits.maxConcurrent(), limits.queueWait());
    }

    /** Runs {@code query} in one of the slots /v1/query uses (the analytics reports share them). */
    public <T> T inSlot(java.util.function.Supplier<T> query) {
        return slots.run(query);
    }

    /** The HTTP answer for a store's refusal of a query: 403, 408, 503 or 400. */
    public static HttpProblem problem(QueryException e) {
        int status = switch (e.reason()) {
            case FORBIDDEN -> 403;
            case TIMEOUT -> 408;
            case UNAVAILABLE -> 503;
            default -> 400;
        };
        return HttpProblem.of(status, "query_" + e.reason().name().toLowerCase(java.util.Locale.ROOT), e.getMessage());
    }

    public void query(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        byte[] body = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), 1 << 20);
        JsonNode req;
        try {
            req = EventJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw HttpProblem.of(
                    400,
                    "invalid",
                    "the body must be JSON like {\"sql\": \"SELECT 1\"}: "
                            + e.getMessage().lines().findFirst().orElse(""));
        }
        if (req == null
                || !req.path("sql").isTextual()
                || req.path("sql").textValue().isBlank()) {
            throw HttpProblem.of(400, "invalid", "the body must be JSON with a non-empty \"sql\" string");
        }
        int rows =
                req.has("max_rows") ? Math.min(Math.max(1, req.path("max_rows").asInt(maxRows)), maxRows) : maxRows;
        QueryResult r;
        try {
            String sql = req.path("sql").textValue();
            r = slots.run(() -> sink.query(sql, rows, timeout));
        } catch (QueryException e) {
            throw problem(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("columns", r.columns());
        out.put("rows", r.rows());
        out.put("truncated", r.truncated());
        out.put("elapsed_ms", r.elapsedMillis());
        ctx.contentType("application/json").result(EventJson.MAPPER.writeValueAsBytes(out));
    }
}
