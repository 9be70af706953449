package io.catchment.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole validated configuration, immutable. Built by {@link ConfigLoader}; one record per feature. */
public record CatchmentConfig(
        Server server,
        Path dataDir,
        Keys keys,
        Log log,
        Loader loader,
        Query query,
        DuckDb duckdb,
        Kafka kafka,
        ClickHouse clickhouse,
        Sqs sqs) {

    /**
     * The log when {@code log.type=sqs}: the queue (name or URL), its region and endpoint, whether to create it (and
     * its dead-letter queue) when missing, the redrive policy's receive count, the visibility timeout, the receivers
     * and senders of one process, and the largest message body sent.
     */
    public record Sqs(
            String queue,
            String region,
            String endpoint,
            boolean create,
            String deadLetterQueue,
            int maxReceiveCount,
            Duration visibilityTimeout,
            int receivers,
            int senders,
            int maxMessageBytes,
            Duration linger) {}

    /** The log when {@code log.type=kafka}: topics, partitions of topics it creates, group, extra client properties. */
    public record Kafka(
            String bootstrapServers,
            String topic,
            String deadLetterTopic,
            int partitions,
            int replicationFactor,
            String group,
            Map<String, String> properties) {}

    /**
     * The store when {@code store.type=clickhouse}; an empty {@code cluster} means one server; {@code queryMaxMemory}
     * is the max_memory_usage of each query.
     */
    public record ClickHouse(
            String url, String database, String user, String password, String cluster, long queryMaxMemory) {}

    /**
     * {@code store} is duckdb or clickhouse; {@code dedup}, {@code dedupWindowDays} (1: the same UTC day) and
     * {@code dedupMemory} (the id sets' heap) apply to both; {@code importMemoryLimit} replaces {@code memoryLimit}
     * while {@code catchment import} loads straight into DuckDB, and {@code importThreads} replaces {@code threads}
     * (DuckDB's worker threads; 0: one per core).
     */
    public record DuckDb(
            String memoryLimit,
            String checkpointThreshold,
            boolean dedup,
            long blockSize,
            String store,
            String importMemoryLimit,
            boolean personIndex,
            int dedupWindowDays,
            long dedupMemory,
            int threads,
            int importThreads) {
        public boolean clickhouse() {
            return store.equals("clickhouse");
        }
    }

    public record Server(
            String host,
            int port,
            long maxRequestBytes,
            long maxEventBytes,
            double eventsPerSecond,
            Tls tls,
            Connections connections,
            Cors cors) {}

    /** Origins allowed to call the ingestion routes, and the admin and query routes, from a browser. */
    public record Cors(List<String> allowedOrigins, List<String> adminOrigins) {}

    /**
     * What a slow or hostile client may hold: how long a connection may sit idle or block a read, the slowest request
     * body accepted (bytes per second, measured from the request's start), connections held at once, and HTTP threads.
     */
    public record Connections(Duration idleTimeout, long minRequestRate, int maxConnections, int maxThreads) {}

    /** HTTPS: PEM files, or a self-signed development certificate; off when neither is set. */
    public record Tls(String cert, String key, boolean selfSigned, int port) {
        public boolean enabled() {
            return selfSigned || !cert.isEmpty();
        }
    }

    /** Write keys map key to source name; the admin key reads and administers. */
    public record Keys(Map<String, String> writeKeys, String adminKey) {}

    /** {@code type} is local, kafka or sqs. */
    public record Log(String type, long segmentBytes, long maxBytes, Duration retention) {
        public boolean kafka() {
            return type.equals("kafka");
        }

        public boolean sqs() {
            return type.equals("sqs");
        }
    }

    public record Loader(
            boolean enabled,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns,
            io.catchment.config.Layout layout,
            Map<String, io.catchment.config.Layout> layoutBySource,
            Duration stallAfter,
            Retention retention) {}

    /**
     * How long rows are kept: events by default, some tables otherwise ({@code Duration.ZERO}: forever), dead letters,
     * and how often what expired is deleted.
     */
    public record Retention(Duration events, Map<String, Duration> tables, Duration deadLetters, Duration every) {
        /** How long rows of {@code table} are kept; zero means forever. */
        public Duration of(String table) {
            return tables.getOrDefault(table, events);
        }
    }

    /**
     * /v1/query and the reports: rows and time per query, how many run at once and how long one waits for its turn;
     * the reports' time zone when a request names none.
     */
    public record Query(
            int maxRows,
            Duration timeout,
            int maxConcurrent,
            Duration queueWait,
            java.time.ZoneId analyticsZone,
            int analyticsCacheSeries) {}

    public CatchmentConfig withKeys(Keys k) {
        return new CatchmentConfig(server, dataDir, k, log, loader, query, duckdb, kafka, clickhouse, sqs);
    }

    public CatchmentConfig withDataDir(Path dir) {
        return new CatchmentConfig(server, dir, keys, log, loader, query, duckdb, kafka, clickhouse, sqs);
    }
}
