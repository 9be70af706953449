package io.catchment.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Bodies;
import io.catchment.collector.HttpProblem;
import io.catchment.event.EventJson;
import io.catchment.query.QueryApi;
import io.catchment.sink.QueryException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/analytics/…} with the admin (read) key: {@code POST trends|funnels|retention} with a JSON request, {@code
 * GET users?search=}, {@code users/{id}}, {@code users/{id}/events?limit=&before=}, {@code events/names?days=},
 * {@code POST events/live} and {@code POST properties/values}. A request that cannot be answered as written gets 400
 * with {@code field}, the JSON path of the culprit; the store's refusals are answered as {@code /v1/query}'s are.
 */
public final class AnalyticsApi {
    private final Analytics analytics;
    private final Auth auth;

    public AnalyticsApi(Analytics analytics, Auth auth) {
        this.analytics = analytics;
        this.auth = auth;
    }

    public void routes(Javalin app) {
        app.post("/v1/analytics/events/live", ctx -> {
            JsonNode body = body(ctx);
            answer(ctx, () -> analytics.live(body));
        });
        app.post("/v1/analytics/properties/values", ctx -> {
            JsonNode body = body(ctx);
            answer(ctx, () -> analytics.propertyValues(body));
        });
        app.post("/v1/analytics/{report}", ctx -> {
            JsonNode body = body(ctx);
            answer(ctx, () -> analytics.report(ctx.pathParam("report"), body));
        });
        app.get(
                "/v1/analytics/events/names",
                ctx -> answer(ctx, () -> analytics.eventNames(intParam(ctx, "days", 30, 3660))));
        app.get(
                "/v1/analytics/users",
                ctx -> answer(ctx, () -> {
                    String q = ctx.queryParam("search");
                    if (q == null || q.isEmpty())
                        throw new BadRequest("search", "is required: text to find in ids and traits");
                    return analytics.searchUsers(q, intParam(ctx, "limit", 50, 1000));
                }));
        app.get("/v1/analytics/users/{id}", ctx -> answer(ctx, () -> analytics.profile(ctx.pathParam("id"))));
        app.get(
                "/v1/analytics/users/{id}/events",
                ctx -> answer(
                        ctx,
                        () -> analytics.userEvents(
                                ctx.pathParam("id"), intParam(ctx, "limit", 100, 1000), ctx.queryParam("before"))));
    }

    private JsonNode body(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        byte[] bytes = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), 1 << 20);
        if (bytes.length == 0) return EventJson.MAPPER.createObjectNode();
        try {
            return EventJson.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw HttpProblem.of(
                    400,
                    "invalid",
                    "the body must be a JSON object: "
                            + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static int intParam(Context ctx, String name, int dflt, int max) {
        String v = ctx.queryParam(name);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new BadRequest(name, "must be a whole number from 1 to " + max);
    }

    private void answer(Context ctx, Supplier<Map<String, Object>> report) throws IOException {
        auth.requireAdmin(ctx);
        long start = System.nanoTime();
        Map<String, Object> result;
        try {
            result = report.get();
        } catch (BadRequest e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage());
            body.put("field", e.field());
            throw new HttpProblem(400, "invalid_report", body);
        } catch (QueryException e) {
            throw QueryApi.problem(e);
        }
        ObjectNode out = EventJson.MAPPER.valueToTree(result);
        out.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
        ctx.contentType("application/json").result(EventJson.MAPPER.writeValueAsBytes(out));
    }
}
