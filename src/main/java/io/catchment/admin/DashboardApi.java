package io.catchment.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Bodies;
import io.catchment.collector.HttpProblem;
import io.catchment.dashboard.DashboardStore;
import io.catchment.event.EventJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /v1/dashboards} with the admin key: {@code GET} lists them, {@code GET|PUT|DELETE /v1/dashboards/{id}} reads,
 * saves or deletes one. A dashboard is {@code {"name": "…", "tiles": [{"title", "kind", "request"}]}}: each tile a
 * report ({@code trends}, {@code funnels}, {@code retention}: the analytics request) or an SQL chart ({@code sql}:
 * {@code {"sql": "…"}}), drawn by the console. Ids are 1-64 letters, digits, {@code -} or {@code _}.
 */
public final class DashboardApi {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> KINDS = Set.of("trends", "funnels", "retention", "sql");
    private final DashboardStore store;
    private final Auth auth;

    public DashboardApi(DashboardStore store, Auth auth) {
        this.store = store;
        this.auth = auth;
    }

    public void routes(Javalin app) {
        app.get("/v1/dashboards", this::list);
        app.get("/v1/dashboards/{id}", this::show);
        app.put("/v1/dashboards/{id}", this::save);
        app.delete("/v1/dashboards/{id}", this::delete);
    }

    private void list(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (DashboardStore.Dashboard d : store.dashboards()) out.add(json(d));
        send(ctx, Map.of("dashboards", out));
    }

    private void show(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        DashboardStore.Dashboard d = store.dashboard(id(ctx))
                .orElseThrow(() -> HttpProblem.of(404, "not_found", "no dashboard " + ctx.pathParam("id")));
        send(ctx, json(d));
    }

    private void save(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        String id = id(ctx);
        byte[] body = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), 256 << 10);
        JsonNode n;
        try {
            n = EventJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw bad("", "the body must be JSON like {\"name\": \"…\", \"tiles\": [...]}");
        }
        if (!(n instanceof ObjectNode o)) throw bad("", "the body must be a JSON object");
        if (!o.path("name").isTextual()
                || o.get("name").asText().isBlank()
                || o.get("name").asText().length() > 200)
            throw bad("name", "must be a non-empty string of at most 200 characters");
        JsonNode tiles = o.path("tiles");
        if (!tiles.isArray() || tiles.size() > 50) throw bad("tiles", "must be an array of at most 50 tiles");
        for (int i = 0; i < tiles.size(); i++) {
            JsonNode t = tiles.get(i);
            if (!KINDS.contains(t.path("kind").asText()))
                throw bad("tiles[" + i + "].kind", "must be trends, funnels, retention or sql");
            if (!t.path("request").isObject()) throw bad("tiles[" + i + "].request", "must be an object");
        }
        ObjectNode spec = EventJson.MAPPER.createObjectNode();
        spec.set("tiles", tiles);
        store.saveDashboard(id, o.get("name").asText(), EventJson.MAPPER.writeValueAsString(spec));
        send(ctx, json(store.dashboard(id).orElseThrow()));
    }

    private void delete(Context ctx) throws IOException {
        auth.requireAdmin(ctx);
        if (!store.deleteDashboard(id(ctx)))
            throw HttpProblem.of(404, "not_found", "no dashboard " + ctx.pathParam("id"));
        send(ctx, Map.of("deleted", ctx.pathParam("id")));
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("id");
        if (!ID.matcher(id).matches()) throw bad("id", "is 1-64 letters, digits, - or _");
        return id;
    }

    private static HttpProblem bad(String field, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", field.isEmpty() ? message : field + ": " + message);
        body.put("field", field);
        return new HttpProblem(400, "invalid_dashboard", body);
    }

    private static Map<String, Object> json(DashboardStore.Dashboard d) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("tiles", EventJson.MAPPER.readTree(d.spec()).path("tiles"));
        m.put("updated_at", d.updatedAt().toString());
        return m;
    }

    private static void send(Context ctx, Object body) throws IOException {
        ctx.contentType("application/json").result(EventJson.MAPPER.writeValueAsBytes(body));
    }
}
