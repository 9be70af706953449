package io.catchment.loader;

import io.catchment.config.CatchmentConfig;
import io.catchment.deadletter.DeadLetterStore;
import io.catchment.metrics.Metrics;
import io.catchment.schema.IdentityLinks;
import io.catchment.sink.Sink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: every {@code retention.check_every}, rows older than their table's retention are deleted (by event time)
 * and dead letters older than theirs purged, in the background of the process that loads. {@code identity_links} is
 * kept unless named in {@code retention.tables}: a link still says who a person is after the events that made it are
 * gone. A failed pass is logged and tried again at the next. Thread-safe.
 */
public final class Expiry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Expiry.class);

    private final Sink sink;
    private final CatchmentConfig.Retention retention;
    private final Metrics metrics;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public Expiry(Sink sink, CatchmentConfig.Retention retention, Metrics metrics, Clock clock) {
        this.sink = sink;
        this.retention = retention;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Whether any retention is set. */
    public boolean enabled() {
        return !retention.events().isZero()
                || !retention.deadLetters().isZero()
                || retention.tables().values().stream().anyMatch(d -> !d.isZero());
    }

    /** Runs a pass now and then every {@code retention.check_every}; does nothing when no retention is set. */
    public synchronized void start() {
        if (!enabled() || timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retention");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, retention.every().toMillis());
        timer.scheduleWithFixedDelay(this::runLogged, 0, every, TimeUnit.MILLISECONDS);
    }

    private void runLogged() {
        try {
            runOnce();
        } catch (Exception e) {
            LOG.warn("Retention pass failed (tried again in {}): {}", retention.every(), e.getMessage(), e);
        }
    }

    /** One pass: rows deleted by table, and {@code _dead_letters} for the dead letters purged. */
    public Map<String, Long> runOnce() throws Exception {
        Instant now = clock.instant();
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (String table : new ArrayList<>(sink.catalog().keySet())) {
            Duration keep = keep(table);
            if (keep.isZero()) continue;
            long n = sink.expire(table, now.minus(keep));
            if (n != 0) {
                deleted.put(table, n);
                metrics.expired(table, n);
                LOG.info("Retention: {} rows of {} older than {} deleted", n, table, keep);
            }
        }
        if (!retention.deadLetters().isZero()) {
            int n = sink.purge(DeadLetterStore.Filter.failedBefore(now.minus(retention.deadLetters())));
            if (n > 0) {
                deleted.put("_dead_letters", (long) n);
                metrics.expired("_dead_letters", n);
                LOG.info("Retention: {} dead letters older than {} purged", n, retention.deadLetters());
            }
        }
        return deleted;
    }

    private Duration keep(String table) {
        if (retention.tables().containsKey(table)) return retention.tables().get(table);
        return table.equals(IdentityLinks.TABLE) ? Duration.ZERO : retention.events();
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}
