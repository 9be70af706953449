package io.catchment;

import io.catchment.admin.DeadLetterApi;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.config.CatchmentConfig;
import io.catchment.event.EventJson;
import io.catchment.loader.Loading;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.query.QueryApi;
import io.catchment.sink.Sink;
import io.javalin.Javalin;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Catchment: log, store and loading (opened by {@link Backends}) and the HTTP API. {@link #start} opens
 * everything in order and binds the port last; {@link #close} stops accepting, lets the loader finish its batch and
 * closes the log and the store.
 */
public final class Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    private final CatchmentConfig config;
    private final Metrics metrics = new Metrics();
    private Backends backends;
    private EventLog log;
    private Sink sink;
    private Loading loading;
    private io.catchment.loader.Expiry expiry;
    private Javalin app;
    private ServerStatus status;

    public Server(CatchmentConfig config) {
        this.config = config;
    }

    public Server start() throws IOException, SQLException {
        var c = config;
        SchemaLog.writeTo(c.dataDir().resolve("schema-changes.log"));
        backends = Backends.open(c, metrics);
        log = backends.log;
        sink = backends.sink;
        loading = backends.loading;
        long backlogEnd = log.endOffset();
        status = new ServerStatus(c, metrics, backends);
        metrics.bindLog(log, status::lag);
        metrics.bindLoaderProgress(() -> c.loader().enabled() && status.lag() > 0
                ? status.sinceProgress().toMillis() / 1000.0
                : 0);
        Auth auth = new Auth(c.keys().writeKeys(), c.keys().adminKey());
        Collector collector = new Collector(
                log,
                auth,
                metrics,
                c.server().maxRequestBytes(),
                c.server().maxEventBytes(),
                new io.catchment.collector.RateLimit(c.server().eventsPerSecond()));
        QueryApi query = new QueryApi(sink, auth, c.query());
        java.security.KeyStore tlsKeys = io.catchment.collector.HttpsConnectors.keys(c);
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            io.catchment.collector.HttpsConnectors.add(cfg, c, tlsKeys);
            cfg.http.maxRequestSize = c.server().maxRequestBytes();
            io.catchment.collector.Connections.apply(cfg, c.server().connections());
            cfg.jetty.defaultHost = c.server().host();
            cfg.useVirtualThreads = false;
            // the web console: static files from the jar at /, no build step and no other server
            cfg.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/console";
                files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                files.headers = Map.of(
                        "Content-Security-Policy",
                        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                                + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                        "X-Content-Type-Options",
                        "nosniff",
                        "Cache-Control",
                        "no-cache");
            });
            cfg.http.gzipOnlyCompression();
        });
        var cors = new io.catchment.collector.Cors(
                c.server().cors().allowedOrigins(), c.server().cors().adminOrigins());
        app.before(cors::handle);
        app.post("/v1/events", collector::events);
        var segment = new io.catchment.collector.vendor.SegmentApi(collector, auth);
        segment.routes(app);
        var amplitude = new io.catchment.collector.vendor.AmplitudeApi(collector, auth);
        app.post("/2/httpapi", amplitude::httpApi);
        app.post("/2/httpapi/", amplitude::httpApi);
        var mixpanel = new io.catchment.collector.vendor.MixpanelApi(collector, auth);
        app.post("/import", mixpanel::importEvents);
        app.post("/import/", mixpanel::importEvents);
        app.get("/config/{apiKey}", amplitude::remoteConfig);
        new io.catchment.collector.vendor.PostHogApi(collector, auth, amplitude, mixpanel).routes(app);
        new io.catchment.collector.vendor.PostHogBootstrap(auth).routes(app);
        app.post("/v1/query", query::query);
        var analytics = new io.catchment.analytics.Analytics(
                sink,
                c.loader().layout(),
                c.query().analyticsZone(),
                c.query().maxRows(),
                c.query().timeout(),
                query::inSlot,
                java.time.Clock.systemUTC());
        analytics.personIndex(c.duckdb().personIndex() && !c.duckdb().clickhouse());
        analytics.cacheSeries(c.query().analyticsCacheSeries());
        new io.catchment.analytics.AnalyticsApi(analytics, auth).routes(app);
        new io.catchment.admin.DashboardApi(sink.dashboards(), auth).routes(app);
        DeadLetterApi dlq = new DeadLetterApi(sink, log, auth, metrics);
        app.get("/v1/status", ctx -> {
            auth.requireAdmin(ctx);
            ctx.contentType("application/json").result(json(status.status()));
        });
        app.get("/v1/schema", new io.catchment.admin.SchemaApi(sink, auth)::schema);
        app.get("/v1/dlq", dlq::list);
        app.get("/v1/dlq/{key}", dlq::show);
        app.post("/v1/dlq/replay", dlq::replay);
        app.post("/v1/dlq/purge", dlq::purge);
        byte[] openapi = Server.class.getResourceAsStream("/openapi.yaml").readAllBytes();
        app.get("/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openapi));
        app.get("/healthz", ctx -> {
            String broken = brokenStore();
            if (broken == null) ctx.json(Map.of("status", "ok"));
            else ctx.status(503).json(Map.of("status", "broken", "reason", broken));
        });
        app.get("/readyz", ctx -> {
            Map<String, Object> body = status.readiness();
            ctx.status("ready".equals(body.get("status")) ? 200 : 503).json(body);
        });
        app.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));
        app.exception(HttpProblem.class, (e, ctx) -> {
            metrics.rejectedRequest(e.reason());
            if (e.body().containsKey("retry_after"))
                ctx.header("Retry-After", String.valueOf(e.body().get("retry_after")));
            if (e.text() != null) {
                ctx.status(e.status()).contentType("text/plain; charset=utf-8").result(e.text());
            } else {
                ctx.status(e.status()).contentType("application/json").result(json(e.body()));
            }
        });
        // what Jetty and the parsers refuse is the client's: its own status, never a 500
        app.exception(
                org.eclipse.jetty.http.BadMessageException.class,
                (e, ctx) -> refuse(
                        ctx,
                        e.getCode(),
                        "http_" + e.getCode(),
                        e.getReason() == null ? "bad request" : e.getReason())); // e.g. under the min rate
        app.exception(
                org.eclipse.jetty.io.EofException.class,
                (e, ctx) -> refuse(ctx, 400, "client_gone", "the request ended early"));
        app.exception(
                NumberFormatException.class,
                (e, ctx) -> refuse(
                        ctx,
                        400,
                        "bad_number",
                        "a number in the request cannot be read: "
                                + e.getMessage())); // 0.4e0066999…9006: no decimal holds it
        app.exception(
                io.catchment.log.LogFullException.class,
                (e, ctx) -> ctx.status(503)
                        .header("Retry-After", "30")
                        .contentType("application/json")
                        .result(json(Map.of("error", e.getMessage(), "retry_after", 30))));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            ctx.status(500).contentType("application/json").result(json(Map.of("error", "internal error: " + e)));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null)
                ctx.contentType("application/json")
                        .result(json(Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path())));
        });
        app.start(c.server().port());
        if (backends.logIsLocal()) status.countBacklog(loading.position(), backlogEnd);
        if (c.loader().enabled()) {
            loading.start();
            expiry = new io.catchment.loader.Expiry(sink, c.loader().retention(), metrics, java.time.Clock.systemUTC());
            expiry.start();
        } else {
            LOG.info("Loader disabled (loader.enabled=false): events stay in the log until a loader runs");
        }
        LOG.info(
                "Catchment listening on http://{}:{}{} (data in {})",
                c.server().host(),
                port(),
                tlsPort() > 0 ? " and https://" + c.server().host() + ":" + tlsPort() : "",
                c.dataDir().toAbsolutePath());
        return this;
    }

    private void refuse(io.javalin.http.Context ctx, int status, String reason, String message) {
        metrics.rejectedRequest(reason);
        ctx.status(status).contentType("application/json").result(json(Map.of("error", message)));
    }

    private static String json(Object o) {
        try {
            return EventJson.MAPPER.writeValueAsString(o);
        } catch (IOException e) {
            return "{\"error\":\"unrenderable error\"}";
        }
    }

    public int port() {
        int named = connectorPort("http");
        return named > 0 ? named : app.port();
    }

    /** The HTTPS port, or -1 when TLS is off. */
    public int tlsPort() {
        return connectorPort("https");
    }

    private int connectorPort(String name) {
        if (app == null || app.jettyServer() == null || app.jettyServer().server() == null) return -1;
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (name.equals(connector.getName()))
                return ((org.eclipse.jetty.server.ServerConnector) connector).getLocalPort();
        }
        return -1;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Why the store cannot go on in this process ({@link Sink#broken()}), or null. */
    public String brokenStore() {
        Sink s = sink;
        return s == null ? null : s.broken();
    }

    @Override
    public void close() throws IOException {
        LOG.info("Catchment stopping");
        if (expiry != null) expiry.close();
        if (app != null) app.stop();
        if (backends != null) backends.close();
        LOG.info("Catchment stopped");
    }
}
