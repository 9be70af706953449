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
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
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
  private Javalin app;
  private final long startedNanos = System.nanoTime();
  private long backlogEnd;

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
    backlogEnd = log.endOffset();
    metrics.bindLog(log, this::lag);
    metrics.bindLoaderProgress(() -> c.loader().enabled() && lag() > 0 ? sinceProgress().toMillis() / 1000.0 : 0);
    Auth auth = new Auth(c.keys().writeKeys(), c.keys().adminKey());
    Collector collector = new Collector(log, auth, metrics, c.server().maxRequestBytes(), c.server().maxEventBytes());
    QueryApi query = new QueryApi(sink, auth, c.query());
    java.security.KeyStore tlsKeys = tlsKeys(c);
    app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      if (tlsKeys != null) {
        // with a connector of its own, Javalin adds no default one: plain HTTP is added here too
        cfg.jetty.addConnector((server, http) -> {
          var plain = new org.eclipse.jetty.server.ServerConnector(server,
              new org.eclipse.jetty.server.HttpConnectionFactory(http));
          plain.setName("http");
          plain.setHost(c.server().host());
          plain.setPort(c.server().port());
          return plain;
        });
        cfg.jetty.addConnector((server, http) -> httpsConnector(server, http, tlsKeys, c));
      }
      cfg.http.maxRequestSize = c.server().maxRequestBytes();
      io.catchment.collector.Connections.apply(cfg, c.server().connections());
      cfg.jetty.defaultHost = c.server().host();
      cfg.useVirtualThreads = false;
    });
    var cors = new io.catchment.collector.Cors(c.server().cors().allowedOrigins(), c.server().cors().adminOrigins());
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
    DeadLetterApi dlq = new DeadLetterApi(sink, log, auth, metrics);
    app.get("/v1/status", ctx -> {
      auth.requireAdmin(ctx);
      ctx.contentType("application/json").result(json(status()));
    });
    app.get("/v1/schema", new io.catchment.admin.SchemaApi(sink, auth)::schema);
    app.get("/v1/dlq", dlq::list);
    app.get("/v1/dlq/{key}", dlq::show);
    app.post("/v1/dlq/replay", dlq::replay);
    app.post("/v1/dlq/purge", dlq::purge);
    byte[] openapi = Server.class.getResourceAsStream("/openapi.yaml").readAllBytes();
    app.get("/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openapi));
    app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    app.get("/readyz", ctx -> {
      // a collector-only node (loader.enabled=false) serves as long as its log takes events
      Map<String, Object> stall = stall();
      boolean ready = log.healthy() && (sink.healthy() || !c.loader().enabled()) && stall == null;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", ready ? "ready" : "not ready");
      body.put("log", log.healthy() ? "open" : "failed");
      body.put("store", sink.healthy() ? "open" : "closed");
      if (c.loader().enabled()) body.put("loader_lag_records", lag());
      if (stall != null) body.put("loader_stalled", stall);
      if (loaderError() != null) body.put("loader_error", loaderError());
      ctx.status(ready ? 200 : 503).json(body);
    });
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    app.exception(HttpProblem.class, (e, ctx) -> {
      metrics.rejectedRequest(e.reason());
      if (e.body().containsKey("retry_after")) ctx.header("Retry-After", String.valueOf(e.body().get("retry_after")));
      if (e.text() != null) {
        ctx.status(e.status()).contentType("text/plain; charset=utf-8").result(e.text());
      } else {
        ctx.status(e.status()).contentType("application/json").result(json(e.body()));
      }
    });
    // what Jetty and the parsers refuse is the client's: its own status, never a 500
    app.exception(org.eclipse.jetty.http.BadMessageException.class, (e, ctx) -> refuse(ctx, e.getCode(),
        "http_" + e.getCode(), e.getReason() == null ? "bad request" : e.getReason())); // e.g. under the min rate
    app.exception(org.eclipse.jetty.io.EofException.class, (e, ctx) -> refuse(ctx, 400, "client_gone",
        "the request ended early"));
    app.exception(NumberFormatException.class, (e, ctx) -> refuse(ctx, 400, "bad_number",
        "a number in the request cannot be read: " + e.getMessage())); // 0.4e0066999…9006: no decimal holds it
    app.exception(io.catchment.log.LogFullException.class, (e, ctx) -> ctx.status(503).header("Retry-After", "30")
        .contentType("application/json").result(json(Map.of("error", e.getMessage(), "retry_after", 30))));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
      ctx.status(500).contentType("application/json").result(json(Map.of("error", "internal error: " + e)));
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) ctx.contentType("application/json").result(json(Map.of("error", "no such endpoint: "
          + ctx.method() + " " + ctx.path())));
    });
    app.start(c.server().port());
    if (backends.localLog()) countBacklog(loading.position());
    if (c.loader().enabled()) {
      loading.start();
    } else {
      LOG.info("Loader disabled (loader.enabled=false): events stay in the log until a loader runs");
    }
    LOG.info("Catchment listening on http://{}:{}{} (data in {})", c.server().host(), port(),
        tlsPort() > 0 ? " and https://" + c.server().host() + ":" + tlsPort() : "", c.dataDir().toAbsolutePath());
    return this;
  }

  private void refuse(io.javalin.http.Context ctx, int status, String reason, String message) {
    metrics.rejectedRequest(reason);
    ctx.status(status).contentType("application/json").result(json(Map.of("error", message)));
  }

  /** What `catchment status` shows: the accounting identity, the log, the loader and dead letters. */
  private Map<String, Object> status() {
    Map<String, Object> events = new LinkedHashMap<>();
    events.put("backlog_at_start", metrics.backlogAtStart.get());
    events.put("accepted", (long) metrics.accepted.count());
    events.put("replayed", (long) metrics.replayed.count());
    events.put("loaded", (long) metrics.loaded.count());
    events.put("dead_lettered", (long) metrics.deadLettered.count());
    events.put("in_flight", metrics.inFlight());
    Map<String, Object> logInfo = new LinkedHashMap<>();
    logInfo.put("bytes", log.sizeBytes());
    logInfo.put("start_offset", log.startOffset());
    logInfo.put("end_offset", log.endOffset());
    logInfo.put("healthy", log.healthy());
    Map<String, Object> loaderInfo = new LinkedHashMap<>();
    loaderInfo.put("enabled", config.loader().enabled());
    loaderInfo.put("position", loading.position());
    loaderInfo.put("lag_records", lag());
    loaderInfo.put("last_error", loaderError());
    loaderInfo.put("stalled", stall());
    loaderInfo.putAll(loading.details());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events_since_start", events);
    out.put("log", logInfo);
    out.put("loader", loaderInfo);
    out.put("dead_letters_pending", sink.pendingDeadLetters());
    out.put("uptime_seconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
    return out;
  }

  /** Records in the log not loaded yet (with Kafka: in the partitions this process loads). */
  private long lag() {
    return loading.lag();
  }

  /**
   * Null while the loader keeps up; else since when it has committed nothing while events wait (past
   * {@code loader.stall_after}), the offset it is stuck at and the store's last error.
   */
  private Map<String, Object> stall() {
    if (!config.loader().enabled()) return null;
    java.time.Duration since = sinceProgress();
    if (since.compareTo(config.loader().stallAfter()) < 0 || lag() <= 0) return null;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("since", java.time.Instant.now().minus(since).toString());
    out.put("seconds", since.toSeconds());
    out.put("stuck_at_offset", loading.position());
    out.put("error", loaderError());
    return out;
  }

  private java.time.Duration sinceProgress() {
    return loading.sinceProgress();
  }

  private String loaderError() {
    return loading.lastError();
  }

  /** Counts the events waiting in the log at start, in the background, for the in-flight accounting. */
  private void countBacklog(long from) {
    Thread t = new Thread(() -> {
      long events = 0;
      try {
        for (long off = from; off < backlogEnd; ) {
          var records = log.read(off, 256, java.time.Duration.ZERO);
          if (records.isEmpty()) break;
          for (var r : records) {
            if (r.offset() >= backlogEnd) break;
            for (byte b : r.payload()) if (b == '\n') events++;
          }
          off = records.get(records.size() - 1).offset() + 1;
        }
        metrics.backlogAtStart.set(events);
      } catch (Exception e) {
        LOG.warn("Could not count the log backlog for the accounting", e);
      }
    }, "backlog-count");
    t.setDaemon(true);
    t.start();
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
      if (name.equals(connector.getName())) return ((org.eclipse.jetty.server.ServerConnector) connector).getLocalPort();
    }
    return -1;
  }

  /** The key store for HTTPS (PEM files, or the self-signed development certificate), or null when TLS is off. */
  private static java.security.KeyStore tlsKeys(CatchmentConfig c) throws IOException {
    var tls = c.server().tls();
    if (!tls.enabled()) return null;
    try {
      if (tls.selfSigned()) {
        Path[] files = io.catchment.collector.Tls.selfSigned(c.dataDir().resolve("tls"));
        LOG.info("HTTPS with the self-signed development certificate {} (clients must trust it)", files[0].toAbsolutePath());
        return io.catchment.collector.Tls.load(files[0], files[1]);
      }
      return io.catchment.collector.Tls.load(Path.of(tls.cert()), Path.of(tls.key()));
    } catch (java.security.GeneralSecurityException e) {
      throw new io.catchment.config.ConfigException("invalid tls: " + e.getMessage());
    }
  }

  private static org.eclipse.jetty.server.Connector httpsConnector(org.eclipse.jetty.server.Server server,
      org.eclipse.jetty.server.HttpConfiguration http, java.security.KeyStore keys, CatchmentConfig c) {
    var ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
    ssl.setKeyStore(keys);
    ssl.setKeyStorePassword(new String(io.catchment.collector.Tls.PASSWORD));
    var https = new org.eclipse.jetty.server.HttpConfiguration(http);
    var customizer = new org.eclipse.jetty.server.SecureRequestCustomizer();
    customizer.setSniHostCheck(false); // clients reach a development certificate by IP address, without SNI
    https.addCustomizer(customizer);
    var connector = new org.eclipse.jetty.server.ServerConnector(server,
        new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
        new org.eclipse.jetty.server.HttpConnectionFactory(https));
    connector.setName("https");
    connector.setHost(c.server().host());
    connector.setPort(c.server().tls().port());
    return connector;
  }

  public Metrics metrics() {
    return metrics;
  }

  @Override
  public void close() throws IOException {
    LOG.info("Catchment stopping");
    if (app != null) app.stop();
    if (backends != null) backends.close();
    LOG.info("Catchment stopped");
  }
}
