package io.catchment.collector;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin access for browsers. Ingestion routes (the native API and the vendor APIs) answer any origin in
 * {@code cors.allowed_origins} (default {@code *}: a browser write key is public by design): preflights get 204 with
 * the methods, the headers the browser asked for and a max-age; every answer, 4xx included, carries
 * {@code Access-Control-Allow-Origin} (the request's Origin echoed, never {@code *}, with credentials allowed, since
 * some SDKs send them), {@code Vary: Origin}, and exposes {@code Retry-After}, so an SDK can read a refusal.
 * Admin and query routes answer only origins in {@code cors.admin_origins} (default none): a random page must never
 * use an admin key. An origin not allowed gets no CORS headers (its preflight a 403). Thread-safe.
 */
public final class Cors {
    /** Routes that need the admin key: no CORS unless {@code cors.admin_origins} names the page's origin. */
    static final List<String> ADMIN_PREFIXES = List.of("/v1/query", "/v1/status", "/v1/schema", "/v1/dlq", "/metrics");

    private final Set<String> ingest;
    private final Set<String> admin;

    /** Origins as configured ({@code *} allows any); schemes and ports count ({@code https://shop.example:8443}). */
    public Cors(List<String> ingestOrigins, List<String> adminOrigins) {
        this.ingest = Set.copyOf(ingestOrigins);
        this.admin = Set.copyOf(adminOrigins);
    }

    /** A before-handler: sets the headers; answers a preflight itself. */
    public void handle(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) return;
        boolean adminRoute = ADMIN_PREFIXES.stream()
                .anyMatch(p -> ctx.path().equals(p) || ctx.path().startsWith(p + "/"));
        Set<String> allowed = adminRoute ? admin : ingest;
        boolean ok = allowed.contains("*") || allowed.contains(origin);
        boolean preflight = ctx.method() == HandlerType.OPTIONS && ctx.header("Access-Control-Request-Method") != null;
        if (ok) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Allow-Credentials", "true");
            ctx.header("Access-Control-Expose-Headers", "Retry-After");
        }
        ctx.header("Vary", "Origin");
        if (!preflight) return;
        if (ok) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            String asked = ctx.header("Access-Control-Request-Headers");
            if (asked != null && !asked.isBlank()) ctx.header("Access-Control-Allow-Headers", asked);
            ctx.header("Access-Control-Max-Age", "86400");
            ctx.status(204);
        } else {
            ctx.status(403)
                    .contentType("application/json")
                    .result("{\"error\":\"origin " + origin.replace("\"", "") + " is not allowed ("
                            + (adminRoute ? "cors.admin_origins" : "cors.allowed_origins") + ")\"}");
        }
        ctx.skipRemainingHandlers();
    }
}
