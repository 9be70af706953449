package io.catchment.collector.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.collector.Auth;
import io.catchment.collector.HttpProblem;
import io.catchment.event.EventJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What posthog-js asks for besides sending events, answered as a PostHog project with no feature flags, no session
 * recording, no surveys and no site apps: the remote config ({@code GET /array/:token/config} and its script form
 * {@code /array/:token/config.js}) and feature flags ({@code /flags} v1 and v2, the older {@code /decide}). These
 * answers keep the SDK quiet and working: it sends events to {@code /i/v0/e/} (compressed with gzip-js), loads no
 * extension scripts and asks for no flags again. An unknown token gets PostHog's 401 (404 for the config files, as
 * PostHog's CDN answers). Stateless and thread-safe.
 */
public final class PostHogBootstrap {
    private static final long FLAGS_BYTES = 1L << 20;
    private final Auth auth;

    public PostHogBootstrap(Auth auth) {
        this.auth = auth;
    }

    public void routes(Javalin app) {
        app.get("/array/{token}/config", ctx -> ctx.json(config(known(ctx.pathParam("token")))));
        app.get("/array/{token}/config.js", this::configJs);
        for (String p : new String[] {"/flags", "/flags/", "/decide", "/decide/"}) {
            app.post(p, this::flags);
            app.get(p, this::flags);
        }
    }

    private String known(String token) {
        if (auth.sourceOf(token) == null) {
            throw new HttpProblem(
                    404,
                    "unauthorized",
                    Map.of(
                            "type",
                            "authentication_error",
                            "code",
                            "invalid_api_key",
                            "detail",
                            "no project with this token"));
        }
        return token;
    }

    /** The project's remote config: everything optional off, events to {@code /i/v0/e/}, no flags to fetch. */
    static Map<String, Object> config(String token) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("token", token);
        c.put("supportedCompression", List.of("gzip", "gzip-js"));
        c.put("hasFeatureFlags", false);
        c.put("captureDeadClicks", false);
        c.put("capturePerformance", false);
        c.put("autocapture_opt_out", false);
        c.put("autocaptureExceptions", false);
        c.put("analytics", Map.of("endpoint", "/i/v0/e/"));
        c.put("elementsChainAsString", true);
        c.put("sessionRecording", false);
        c.put("heatmaps", false);
        // no "surveys" or "productTours" key: posthog-js loads their scripts whenever the key is there, even false
        c.put("defaultIdentifiedOnly", true);
        c.put("siteApps", List.of());
        return c;
    }

    private void configJs(Context ctx) throws IOException {
        String token = known(ctx.pathParam("token"));
        String json = EventJson.MAPPER.writeValueAsString(Map.of("config", config(token), "siteApps", List.of()));
        String key = EventJson.MAPPER.writeValueAsString(token);
        ctx.contentType("application/javascript")
                .result("(function() {\n  window._POSTHOG_REMOTE_CONFIG = "
                        + "window._POSTHOG_REMOTE_CONFIG || {};\n  window._POSTHOG_REMOTE_CONFIG[" + key + "] = " + json
                        + ";\n})();\n");
    }

    /**
     * {@code /flags} (v1 and v2 answers in one: {@code flags} for v2, {@code featureFlags} for v1) and {@code /decide},
     * with the remote config merged in, as PostHog does for {@code config=true}. The token comes from the body (any of
     * posthog-js's compressions), the query or the Authorization header.
     */
    void flags(Context ctx) throws IOException {
        byte[] body = Requests.body(ctx, FLAGS_BYTES, m -> PostHogApi.bad(m));
        String token = ctx.queryParam("token");
        if (body.length > 0 || ctx.queryParam("data") != null) {
            JsonNode root = PostHogApi.decode(ctx, body, FLAGS_BYTES);
            JsonNode t = root.has("token") ? root.get("token") : root.get("api_key");
            if (t != null && t.isTextual()) token = t.textValue();
        }
        if (token == null) token = Auth.headerKey(ctx);
        if (auth.sourceOf(token) == null) {
            throw new HttpProblem(
                    401,
                    "unauthorized",
                    Map.of(
                            "type",
                            "authentication_error",
                            "code",
                            "invalid_api_key",
                            "detail",
                            token == null ? "API key is missing: send token in the body" : "Project API key invalid."));
        }
        Map<String, Object> answer = new LinkedHashMap<>(config(token));
        answer.put("flags", Map.of());
        answer.put("featureFlags", Map.of());
        answer.put("featureFlagPayloads", Map.of());
        answer.put("errorsWhileComputingFlags", false);
        answer.put("quotaLimited", List.of());
        answer.put("requestId", java.util.UUID.randomUUID().toString());
        ctx.contentType("application/json").result(EventJson.MAPPER.writeValueAsString(answer));
    }
}
