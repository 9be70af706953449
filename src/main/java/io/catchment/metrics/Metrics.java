package io.catchment.metrics;

import io.catchment.log.EventLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Every metric Catchment exports, in one place, named as Prometheus shows them. Thread-safe. */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    {
        // the JVM's own: heap and its pools, GC pauses, threads, CPU and the process's open files (jvm_*, process_*)
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    }

    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rejectedRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> duplicateRows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rowsWritten = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, Counter> expired = new ConcurrentHashMap<>();
    public final Counter received = Counter.builder("catchment.events.received")
            .description("events in requests that reached the collector")
            .register(registry);
    public final Counter accepted = Counter.builder("catchment.events.accepted")
            .description("events acknowledged durable in the log")
            .register(registry);
    public final Counter loaded = Counter.builder("catchment.events.loaded")
            .description("events committed to the store")
            .register(registry);
    public final Counter deadLettered = Counter.builder("catchment.events.dead.lettered")
            .description("events set aside in the dead-letter store")
            .register(registry);
    public final Counter schemaChanges = Counter.builder("catchment.schema.changes")
            .description("tables created, columns added or widened")
            .register(registry);
    public final DistributionSummary batchEvents = DistributionSummary.builder("catchment.loader.batch.events")
            .description("events per loader batch")
            .register(registry);
    public final Timer batchLatency = Timer.builder("catchment.loader.batch.latency")
            .description("time to write one loader batch to the store")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    public final Timer ackLatency = Timer.builder("catchment.collector.ack.latency")
            .description("time from request start to durable acknowledgement")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    /** Events that were in the log, not yet loaded, when this process started (counted in the background). */
    public final AtomicLong backlogAtStart = new AtomicLong();
    /** Events put back on the log by dead-letter replays. */
    public final Counter replayed = Counter.builder("catchment.events.replayed")
            .description("dead letters put back on the log")
            .register(registry);

    {
        Gauge.builder("catchment.events.in.flight", this, Metrics::inFlight)
                .description(
                        "events in the log not yet loaded or dead-lettered: backlog at start + accepted + replayed "
                                + "- loaded - dead-lettered")
                .register(registry);
    }

    /** The accounting identity: accepted (+ backlog at start + replayed) = loaded + dead-lettered + in flight. */
    public long inFlight() {
        return backlogAtStart.get()
                + (long) accepted.count()
                + (long) replayed.count()
                - (long) loaded.count()
                - (long) deadLettered.count();
    }

    public void rejected(String reason, long events) {
        count(rejected, "catchment.events.rejected", "reason", reason, "events refused with a 4xx/503, by reason")
                .increment(events);
    }

    /** The counter of {@code name} for one value of its tag, registered on first use. */
    private Counter count(
            ConcurrentHashMap<String, Counter> counters, String name, String tag, String value, String description) {
        return counters.computeIfAbsent(
                value,
                v -> Counter.builder(name).tag(tag, v).description(description).register(registry));
    }

    /** A request refused before its events could be counted (auth, size, encoding). */
    public void rejectedRequest(String reason) {
        count(
                        rejectedRequests,
                        "catchment.requests.rejected",
                        "reason",
                        reason,
                        "requests refused with a 4xx/503, by reason")
                .increment();
    }

    public void duplicates(String table, long rows) {
        if (rows == 0) return;
        count(
                        duplicateRows,
                        "catchment.rows.duplicate",
                        "table",
                        table,
                        "rows skipped because their id was already in the table for that day")
                .increment(rows);
    }

    /** Rows deleted by retention (and dead letters purged, as {@code _dead_letters}). */
    public void expired(String table, long rows) {
        count(
                        expired,
                        "catchment.rows.expired",
                        "table",
                        table,
                        "rows deleted because they were older than their retention")
                .increment(rows);
    }

    public void rowsWritten(String table, long rows) {
        count(rowsWritten, "catchment.rows.written", "table", table, "rows committed, per table")
                .increment(rows);
    }

    /**
     * The log's gauges; {@code lag} is what this process's loaders have still to load (on Kafka, summed over the
     * partitions this process loads).
     */
    public void bindLog(EventLog log, LongSupplier lag) {
        Gauge.builder("catchment.log.bytes", log, EventLog::sizeBytes)
                .description("bytes of log segments on disk")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("catchment.log.lag.records", lag, LongSupplier::getAsLong)
                .strongReference(true) // a lambda: kept
                .description("log records not yet loaded into the store")
                .register(registry);
        Gauge.builder("catchment.log.end.offset", log, EventLog::endOffset).register(registry);
    }

    /**
     * {@code catchment_loader_seconds_since_progress}: with events waiting, the seconds since the loader last committed
     * (0 while nothing waits). Alert when it passes {@code loader.stall_after}, as {@code /readyz} does.
     */
    public void bindLoaderProgress(java.util.function.DoubleSupplier seconds) {
        Gauge.builder(
                        "catchment.loader.seconds.since.progress",
                        seconds,
                        java.util.function.DoubleSupplier::getAsDouble)
                .strongReference(true)
                .description("with events waiting, seconds since the loader last committed a batch")
                .register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }
}
