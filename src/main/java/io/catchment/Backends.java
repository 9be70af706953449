package io.catchment;

import io.catchment.config.CatchmentConfig;
import io.catchment.loader.KafkaLoaders;
import io.catchment.loader.Loader;
import io.catchment.loader.Loading;
import io.catchment.loader.SqsLoaders;
import io.catchment.log.EventLog;
import io.catchment.log.kafka.KafkaDeadLetters;
import io.catchment.log.kafka.KafkaLog;
import io.catchment.log.local.LocalLog;
import io.catchment.log.sqs.SqsLog;
import io.catchment.log.sqs.SqsQueues;
import io.catchment.metrics.Metrics;
import io.catchment.schema.Router;
import io.catchment.sink.SeparateDeadLetters;
import io.catchment.sink.Sink;
import io.catchment.sink.clickhouse.ClickHouseSink;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that picks the implementations from config: the log ({@code log.type}: local, Kafka or SQS), the store
 * (DuckDB or ClickHouse), where dead letters go (the store's table, or Kafka's dead-letter topic shared by every
 * process of the group), and what loads (one loader, one per Kafka partition, or SQS receivers). Nothing else in the server names an
 * implementation. {@link #close} stops loading first (its batch in hand commits), then closes the dead-letter topic,
 * the log and the store. Not thread-safe; open and close it on one thread.
 */
public final class Backends implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    public final EventLog log;
    public final Sink sink;
    public final Loading loading;
    private final KafkaDeadLetters kafkaDeadLetters;
    private final boolean local;

    private Backends(EventLog log, Sink sink, Loading loading, KafkaDeadLetters kafkaDeadLetters, boolean local) {
        this.log = log;
        this.sink = sink;
        this.loading = loading;
        this.kafkaDeadLetters = kafkaDeadLetters;
        this.local = local;
    }

    /** Opens the log, the store and the loading the server runs (loading is not started). */
    public static Backends open(CatchmentConfig c, Metrics metrics) throws IOException, SQLException {
        Router router = new Router(c.loader().layout(), c.loader().layoutBySource());
        Path quarantine = c.dataDir().resolve("quarantine");
        if (c.log().kafka()) {
            KafkaLog kafka = new KafkaLog(c.kafka());
            KafkaDeadLetters deadLetters = new KafkaDeadLetters(kafka);
            Sink sink = new SeparateDeadLetters(store(c, c.duckdb().memoryLimit()), deadLetters);
            Loading loading = new KafkaLoaders(
                    kafka,
                    sink,
                    metrics,
                    c.loader().batchEvents(),
                    c.loader().batchWait(),
                    c.loader().maxFields(),
                    c.loader().maxColumns(),
                    router,
                    quarantine);
            return new Backends(kafka, sink, loading, deadLetters, false);
        }
        if (c.log().sqs()) return sqs(c, metrics, router, quarantine);
        EventLog log = localLog(c);
        Sink sink = store(c, c.duckdb().memoryLimit());
        Loading loading = new Loader(
                        log,
                        sink,
                        metrics,
                        c.loader().batchEvents(),
                        c.loader().batchWait(),
                        c.loader().maxFields(),
                        c.loader().maxColumns(),
                        router)
                .quarantineIn(quarantine);
        return new Backends(log, sink, loading, null, true);
    }

    /**
     * The SQS log: the collector sends to the queue, {@code sqs.receivers} loaders receive from it, and dead letters
     * stay in the store's own table (with what SQS's redrive policy set aside moved in beside them).
     */
    private static Backends sqs(CatchmentConfig c, Metrics metrics, Router router, Path quarantine)
            throws IOException, SQLException {
        SqsQueues queues = new SqsQueues(c.sqs());
        Sink sink;
        try {
            sink = store(c, c.duckdb().memoryLimit());
        } catch (IOException | SQLException | RuntimeException e) {
            queues.close();
            throw e;
        }
        Loading loading = new SqsLoaders(
                queues,
                sink,
                metrics,
                c.loader().batchEvents(),
                c.loader().batchWait(),
                c.loader().maxFields(),
                c.loader().maxColumns(),
                router,
                quarantine);
        return new Backends(new SqsLog(queues), sink, loading, null, false);
    }

    /** The local log under {@code DATA_DIR/log} (the import's {@code --via-log} target too). */
    public static EventLog localLog(CatchmentConfig c) throws IOException {
        return new LocalLog(
                c.dataDir().resolve("log"),
                c.log().segmentBytes(),
                c.log().maxBytes(),
                c.log().retention());
    }

    /**
     * The configured store, with DuckDB's memory limit {@code duckdbMemory} (the server's, or the import's smaller
     * one). ClickHouse's memory is the server's own business.
     */
    public static Sink store(CatchmentConfig c, String duckdbMemory) throws IOException, SQLException {
        return store(c, duckdbMemory, c.duckdb().threads());
    }

    /** Like {@link #store(CatchmentConfig, String)} with DuckDB's worker threads (0: one per core). */
    static Sink store(CatchmentConfig c, String duckdbMemory, int duckdbThreads) throws IOException, SQLException {
        Sink sink = openStore(c, duckdbMemory, duckdbThreads);
        try {
            io.catchment.sink.LayoutUpgrade.run(
                    sink, c.duckdb().clickhouse() && !c.clickhouse().cluster().isEmpty());
        } catch (io.catchment.sink.SinkException | RuntimeException e) {
            sink.close();
            throw new IOException("cannot upgrade the store's layout: " + e.getMessage(), e);
        }
        if (c.duckdb().personIndex() && sink instanceof DuckDbSink d) {
            try {
                long t0 = System.nanoTime();
                List<String> built = d.indexPeople();
                if (!built.isEmpty())
                    LOG.info(
                            "duckdb.person_index: indexed person_key in {} tables in {} ms",
                            built.size(),
                            (System.nanoTime() - t0) / 1_000_000);
            } catch (io.catchment.sink.SinkException e) {
                sink.close();
                throw new IOException(e.getMessage(), e);
            }
        }
        return sink;
    }

    private static Sink openStore(CatchmentConfig c, String duckdbMemory, int duckdbThreads)
            throws IOException, SQLException {
        if (c.duckdb().clickhouse()) {
            var ch = c.clickhouse();
            return new ClickHouseSink(
                    ch.url(),
                    ch.database(),
                    ch.user(),
                    ch.password(),
                    ch.cluster(),
                    c.dataDir(),
                    dedup(c),
                    c.loader().maxColumns(),
                    ch.queryMaxMemory());
        }
        return new DuckDbSink(
                c.dataDir(),
                duckdbMemory,
                c.duckdb().checkpointThreshold(),
                dedup(c),
                c.loader().maxColumns(),
                c.duckdb().blockSize(),
                duckdbThreads);
    }

    private static io.catchment.sink.Dedup dedup(CatchmentConfig c) {
        var d = c.duckdb();
        return io.catchment.sink.Dedup.of(d.dedup(), d.dedupWindowDays(), d.dedupMemory());
    }

    /**
     * The store {@code catchment import} writes straight into: the configured one, with DuckDB's import memory limit
     * and threads;
     * with a Kafka log its dead letters go to the dead-letter topic, where the servers keep theirs (closed with the
     * store).
     */
    public static Sink importStore(CatchmentConfig c) throws IOException, SQLException {
        Sink store = store(c, c.duckdb().importMemoryLimit(), c.duckdb().importThreads());
        if (!c.log().kafka()) return store;
        KafkaLog kafka = null;
        try {
            kafka = new KafkaLog(c.kafka());
            KafkaDeadLetters deadLetters = new KafkaDeadLetters(kafka);
            KafkaLog log = kafka;
            return new SeparateDeadLetters(store, deadLetters, () -> {
                try (log) {
                    deadLetters.close();
                }
            });
        } catch (IOException | RuntimeException e) {
            if (kafka != null) kafka.close();
            store.close();
            throw e;
        }
    }

    /** Whether the log is this machine's own (its backlog can be counted by reading it from the loader's offset). */
    public boolean logIsLocal() {
        return local;
    }

    @Override
    public void close() throws IOException {
        loading.close();
        if (kafkaDeadLetters != null) kafkaDeadLetters.close();
        log.close();
        sink.close();
    }
}
