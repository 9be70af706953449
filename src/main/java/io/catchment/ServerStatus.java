package io.catchment;

import io.catchment.config.CatchmentConfig;
import io.catchment.loader.Loading;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server says of itself: {@code /v1/status} (the accounting identity, the log, loading, dead letters) and
 * {@code /readyz} (log and store open, loading not stalled past {@code loader.stall_after}). Reads only; safe from any
 * thread.
 */
final class ServerStatus {
    private static final Logger LOG = LoggerFactory.getLogger(ServerStatus.class);

    private final CatchmentConfig config;
    private final Metrics metrics;
    private final EventLog log;
    private final Sink sink;
    private final Loading loading;
    private final long startedNanos = System.nanoTime();

    ServerStatus(CatchmentConfig config, Metrics metrics, Backends backends) {
        this.config = config;
        this.metrics = metrics;
        this.log = backends.log;
        this.sink = backends.sink;
        this.loading = backends.loading;
    }

    /** {@code /readyz}: whether this node is ready, and why (the answer's body). */
    Map<String, Object> readiness() {
        // a collector-only node (loader.enabled=false) serves as long as its log takes events
        Map<String, Object> stall = stall();
        boolean ready = log.healthy() && (sink.healthy() || !config.loader().enabled()) && stall == null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not ready");
        body.put("log", log.healthy() ? "open" : "failed");
        body.put("store", sink.broken() != null ? "broken: " + sink.broken() : sink.healthy() ? "open" : "closed");
        if (config.loader().enabled()) body.put("loader_lag_records", lag());
        if (stall != null) body.put("loader_stalled", stall);
        if (loaderError() != null) body.put("loader_error", loaderError());
        return body;
    }

    /** What `catchment status` shows: the accounting identity, the log, the loader and dead letters. */
    Map<String, Object> status() {
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
    long lag() {
        return loading.lag();
    }

    /**
     * Null while the loader keeps up; else since when it has committed nothing while events wait (past
     * {@code loader.stall_after}), the offset it is stuck at and the store's last error.
     */
    Map<String, Object> stall() {
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

    java.time.Duration sinceProgress() {
        return loading.sinceProgress();
    }

    String loaderError() {
        return loading.lastError();
    }

    /** Counts the events waiting in the log at start, in the background, for the in-flight accounting. */
    void countBacklog(long from, long backlogEnd) {
        Thread t = new Thread(
                () -> {
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
                },
                "backlog-count");
        t.setDaemon(true);
        t.start();
    }
}
