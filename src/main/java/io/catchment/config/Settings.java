package io.catchment.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Every configuration key Catchment reads, in one place. {@code catchment serve --help} prints this table. */
public final class Settings {
    private Settings() {}

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-.~]{8,200}");
    private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_\\-.]{1,100}");

    public static final Setting<Integer> PORT =
            new Setting<>("port", "8080", "HTTP port (0 picks a free port)", Setting.intRange(0, 65535));
    public static final Setting<String> HOST =
            new Setting<>("host", "0.0.0.0", "address to listen on", s -> nonEmpty(s));
    public static final Setting<Path> DATA_DIR = new Setting<>(
            "data_dir", "./data", "where the log, the DuckDB store and generated keys live", s -> Path.of(nonEmpty(s)));
    public static final Setting<Map<String, String>> WRITE_KEYS = new Setting<>(
            "write_keys",
            "",
            "comma-separated ingestion keys, 'key' or 'key=source'; generated on first start when empty",
            Settings::writeKeys);
    public static final Setting<String> ADMIN_KEY = new Setting<>(
            "admin_key",
            "",
            "key for SQL and admin endpoints; generated on first start when empty",
            s -> s.isEmpty() ? "" : key(s));
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = new Setting<>(
            "http.idle_timeout",
            "30s",
            "a connection idle this long, or a request whose body read waits this long for a byte, is closed (408)",
            Setting.duration());
    public static final Setting<Long> HTTP_MIN_REQUEST_RATE = new Setting<>(
            "http.min_request_rate",
            "1KB",
            "slowest request body accepted, in bytes per second since the request began; slower gets 408 (0: no minimum)",
            s -> s.strip().equals("0") ? 0L : Setting.size(1).apply(s));
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS = new Setting<>(
            "http.max_connections",
            "2000",
            "connections held at once; past it new ones wait in the operating system's accept queue",
            Setting.intRange(16, 1_000_000));
    public static final Setting<Integer> HTTP_MAX_THREADS = new Setting<>(
            "http.max_threads",
            "250",
            "HTTP worker threads; with limits.max_request_bytes they bound the memory request bodies can hold",
            Setting.intRange(16, 10_000));
    public static final Setting<List<String>> CORS_ALLOWED_ORIGINS = new Setting<>(
            "cors.allowed_origins",
            "*",
            "origins whose pages may send events from a browser, comma-separated (scheme://host[:port]); * for any",
            Settings::origins);
    public static final Setting<List<String>> CORS_ADMIN_ORIGINS = new Setting<>(
            "cors.admin_origins",
            "",
            "origins whose pages may call the query and admin endpoints (with the admin key); none by default",
            Settings::origins);
    public static final Setting<Long> MAX_REQUEST_BYTES = new Setting<>(
            "limits.max_request_bytes",
            "1MB",
            "largest request body, checked on the wire and again after gzip decoding",
            Setting.size(1024));
    public static final Setting<Long> MAX_EVENT_BYTES =
            new Setting<>("limits.max_event_bytes", "32KB", "largest single event", Setting.size(64));
    public static final Setting<Integer> MAX_FIELDS_PER_EVENT = new Setting<>(
            "limits.max_fields_per_event",
            "1000",
            "an event that flattens to more fields is set aside as a dead letter",
            Setting.intRange(20, 100_000));
    public static final Setting<Integer> MAX_COLUMNS = new Setting<>(
            "schema.max_columns",
            "1000",
            "columns per table; fields past the cap go to the table's _extra JSON column",
            Setting.intRange(50, 10_000));
    public static final Setting<io.catchment.config.Layout> LAYOUT = new Setting<>(
            "schema.layout",
            "per-event",
            "per-event (events + one table per event name) or single (one wide events table)",
            io.catchment.config.Layout::parse);
    public static final Setting<Map<String, io.catchment.config.Layout>> LAYOUT_BY_SOURCE = new Setting<>(
            "schema.layout_by_source",
            "",
            "per-source layouts, comma-separated source=layout (mobile=single)",
            Settings::layouts);
    public static final Setting<Long> LOG_SEGMENT_BYTES = new Setting<>(
            "log.segment_bytes", "64MB", "size at which the log rolls to a new segment file", Setting.size(4096));
    public static final Setting<Long> LOG_MAX_BYTES = new Setting<>(
            "log.max_bytes",
            "10GB",
            "disk quota of the log; past it the collector answers 503 with Retry-After",
            Setting.size(65536));
    public static final Setting<Duration> LOG_RETENTION = new Setting<>(
            "log.retention", "0s", "how long a fully loaded segment is kept before it is deleted", Setting.duration());
    public static final Setting<Integer> LOADER_BATCH_EVENTS = new Setting<>(
            "loader.batch_events",
            "100000",
            "most events the loader writes in one transaction",
            Setting.intRange(1, 10_000_000));
    public static final Setting<Boolean> LOADER_ENABLED = new Setting<>(
            "loader.enabled",
            "true",
            "run the loader in this process; false makes a collector-only node (another process loads the log)",
            Settings::bool);
    public static final Setting<Duration> LOADER_BATCH_WAIT = new Setting<>(
            "loader.batch_wait",
            "500ms",
            "longest the loader waits to fill a batch before writing what it has",
            Setting.duration());
    public static final Setting<Duration> LOADER_STALL_AFTER = new Setting<>(
            "loader.stall_after",
            "60s",
            "with events waiting, a loader that has committed nothing for this long is stalled: /readyz answers 503 and "
                    + "/v1/status names the stuck offset and the error",
            Setting.duration());
    public static final Setting<Boolean> DEDUP_ENABLED = new Setting<>(
            "dedup.enabled",
            "true",
            "skip rows whose id is already in their table for the same UTC day of timestamp",
            Settings::bool);
    public static final Setting<Integer> QUERY_MAX_ROWS = new Setting<>(
            "query.max_rows",
            "10000",
            "most rows /v1/query returns; the answer says when it was truncated",
            Setting.intRange(1, 10_000_000));
    public static final Setting<Duration> QUERY_TIMEOUT =
            new Setting<>("query.timeout", "30s", "a query running longer is cancelled (408)", Setting.duration());
    public static final Setting<Integer> QUERY_MAX_CONCURRENT = new Setting<>(
            "query.max_concurrent",
            "auto",
            "most /v1/query statements running at once; others wait (query.queue_wait). auto is half the cores, at least "
                    + "one: a DuckDB query also uses the store's worker threads, and the loader and the collector need CPU too",
            s -> s.equals("auto")
                    ? Math.max(1, Runtime.getRuntime().availableProcessors() / 2)
                    : Setting.intRange(1, 1000).apply(s));
    public static final Setting<Duration> QUERY_QUEUE_WAIT = new Setting<>(
            "query.queue_wait",
            "10s",
            "longest a query waits for one of query.max_concurrent slots; then 503 with Retry-After (0s: no waiting)",
            Setting.duration());
    public static final Setting<String> DUCKDB_MEMORY_LIMIT = new Setting<>(
            "duckdb.memory_limit", "1GB", "DuckDB's memory_limit (outside the Java heap)", s -> nonEmpty(s));

    public static final Setting<String> IMPORT_DUCKDB_MEMORY_LIMIT = new Setting<>(
            "import.duckdb_memory_limit",
            "384MB",
            "DuckDB's memory_limit while `catchment import` loads straight into the store: a bulk load needs less than a "
                    + "server that also answers queries, and the import then stays under 1.5 GB of memory with its 640 MB heap",
            s -> nonEmpty(s));

    public static final Setting<String> DUCKDB_CHECKPOINT_THRESHOLD = new Setting<>(
            "duckdb.checkpoint_threshold",
            "512MB",
            "WAL size that triggers a DuckDB checkpoint; larger loads faster but holds more in memory (keep it well under "
                    + "duckdb.memory_limit) and replays longer after a crash",
            s -> nonEmpty(s));

    public static final Setting<Long> DUCKDB_BLOCK_SIZE = new Setting<>(
            "duckdb.block_size",
            "16KB",
            "block size of a new DuckDB file (16KB to 256KB, a power of two; an existing file keeps its own). Data not yet "
                    + "checkpointed takes at least a block per column, so small blocks keep wide, sparse event tables in memory",
            s -> {
                long v = Setting.size(16 << 10).apply(s);
                if (v > 256 << 10 || Long.bitCount(v) != 1) {
                    throw new IllegalArgumentException(s + " is not a power of two from 16KB to 256KB");
                }
                return v;
            });

    public static final Setting<String> TLS_CERT = new Setting<>(
            "tls.cert",
            "",
            "PEM certificate (chain) for HTTPS; with tls.key, Catchment also listens on tls.port",
            s -> s);
    public static final Setting<String> TLS_KEY =
            new Setting<>("tls.key", "", "PEM private key (PKCS#8, RSA or EC) of tls.cert", s -> s);
    public static final Setting<Boolean> TLS_SELF_SIGNED = new Setting<>(
            "tls.self_signed",
            "false",
            "serve HTTPS with a self-signed development certificate for localhost/127.0.0.1, created in DATA_DIR/tls "
                    + "(trust DATA_DIR/tls/dev-cert.pem in clients)",
            Settings::bool);
    public static final Setting<Integer> TLS_PORT = new Setting<>(
            "tls.port",
            "8443",
            "HTTPS port when TLS is on (0 picks a free port); plain HTTP stays on port",
            Setting.intRange(0, 65535));

    public static final Setting<String> LOG_TYPE = new Setting<>(
            "log.type",
            "local",
            "local (segment files under data_dir) or kafka (kafka.* settings)",
            s -> oneOf(s, "local", "kafka"));
    public static final Setting<String> STORE_TYPE = new Setting<>(
            "store.type",
            "duckdb",
            "duckdb (embedded, data_dir/catchment.duckdb) or clickhouse (clickhouse.* settings)",
            s -> oneOf(s, "duckdb", "clickhouse"));
    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = new Setting<>(
            "kafka.bootstrap_servers",
            "",
            "Kafka brokers, host:port comma-separated (needed with log.type=kafka)",
            s -> s);
    public static final Setting<String> KAFKA_TOPIC = new Setting<>(
            "kafka.topic",
            "catchment.events",
            "topic of accepted events (created with kafka.partitions when missing)",
            s -> nonEmpty(s));
    public static final Setting<String> KAFKA_DEAD_LETTER_TOPIC = new Setting<>(
            "kafka.dead_letter_topic",
            "catchment.dead-letters",
            "compacted topic of dead letters (created when missing)",
            s -> nonEmpty(s));
    public static final Setting<Integer> KAFKA_PARTITIONS = new Setting<>(
            "kafka.partitions",
            "12",
            "partitions of a topic Catchment creates; the most loaders that can share the work",
            Setting.intRange(1, 10_000));
    public static final Setting<Integer> KAFKA_REPLICATION_FACTOR = new Setting<>(
            "kafka.replication_factor",
            "1",
            "replication of a topic Catchment creates (3 in production)",
            Setting.intRange(1, 10));
    public static final Setting<String> KAFKA_GROUP =
            new Setting<>("kafka.group", "catchment-loaders", "consumer group the loaders form", s -> nonEmpty(s));
    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = new Setting<>(
            "kafka.properties",
            "",
            "extra Kafka client properties, comma-separated k=v (security.protocol=SASL_SSL,sasl.mechanism=...)",
            Settings::properties);
    public static final Setting<String> CLICKHOUSE_URL = new Setting<>(
            "clickhouse.url",
            "http://127.0.0.1:8123",
            "ClickHouse HTTP endpoint (needed with store.type=clickhouse)",
            s -> nonEmpty(s));
    public static final Setting<String> CLICKHOUSE_DATABASE = new Setting<>(
            "clickhouse.database",
            "catchment",
            "ClickHouse database of Catchment's tables (created when missing)",
            s -> {
                if (!s.matches("[A-Za-z_][A-Za-z0-9_]{0,100}")) {
                    throw new IllegalArgumentException("'" + s + "' is not a plain database name (letters, digits, _)");
                }
                return s;
            });
    public static final Setting<String> CLICKHOUSE_USER =
            new Setting<>("clickhouse.user", "default", "ClickHouse user", s -> nonEmpty(s));
    public static final Setting<String> CLICKHOUSE_PASSWORD =
            new Setting<>("clickhouse.password", "", "ClickHouse password", s -> s);
    public static final Setting<String> CLICKHOUSE_CLUSTER = new Setting<>(
            "clickhouse.cluster",
            "",
            "ClickHouse cluster name: DDL ON CLUSTER with Replicated engines and Distributed tables; empty for one server",
            s -> s);
    public static final Setting<Long> CLICKHOUSE_QUERY_MAX_MEMORY = new Setting<>(
            "clickhouse.query_max_memory",
            "1GB",
            "ClickHouse's max_memory_usage for each /v1/query statement; a query needing more fails, the server stays up",
            Setting.size(1 << 20));

    public static final List<Setting<?>> ALL = List.of(
            PORT,
            HOST,
            DATA_DIR,
            WRITE_KEYS,
            ADMIN_KEY,
            HTTP_IDLE_TIMEOUT,
            HTTP_MIN_REQUEST_RATE,
            HTTP_MAX_CONNECTIONS,
            HTTP_MAX_THREADS,
            CORS_ALLOWED_ORIGINS,
            CORS_ADMIN_ORIGINS,
            MAX_REQUEST_BYTES,
            MAX_EVENT_BYTES,
            MAX_FIELDS_PER_EVENT,
            MAX_COLUMNS,
            LAYOUT,
            LAYOUT_BY_SOURCE,
            LOG_SEGMENT_BYTES,
            LOG_MAX_BYTES,
            LOG_RETENTION,
            LOADER_BATCH_EVENTS,
            LOADER_BATCH_WAIT,
            LOADER_STALL_AFTER,
            LOADER_ENABLED,
            DEDUP_ENABLED,
            QUERY_MAX_ROWS,
            QUERY_TIMEOUT,
            QUERY_MAX_CONCURRENT,
            QUERY_QUEUE_WAIT,
            DUCKDB_MEMORY_LIMIT,
            IMPORT_DUCKDB_MEMORY_LIMIT,
            DUCKDB_CHECKPOINT_THRESHOLD,
            DUCKDB_BLOCK_SIZE,
            TLS_CERT,
            TLS_KEY,
            TLS_SELF_SIGNED,
            TLS_PORT,
            LOG_TYPE,
            STORE_TYPE,
            KAFKA_BOOTSTRAP_SERVERS,
            KAFKA_TOPIC,
            KAFKA_DEAD_LETTER_TOPIC,
            KAFKA_PARTITIONS,
            KAFKA_REPLICATION_FACTOR,
            KAFKA_GROUP,
            KAFKA_PROPERTIES,
            CLICKHOUSE_URL,
            CLICKHOUSE_DATABASE,
            CLICKHOUSE_USER,
            CLICKHOUSE_PASSWORD,
            CLICKHOUSE_CLUSTER,
            CLICKHOUSE_QUERY_MAX_MEMORY);

    private static List<String> origins(String s) {
        List<String> out = new java.util.ArrayList<>();
        for (String o : s.split(",")) {
            String t = o.strip().replaceAll("/+$", "");
            if (t.isEmpty()) continue;
            if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("'" + t + "' is not an origin (scheme://host[:port], or *)");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    private static String nonEmpty(String s) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException("must not be empty");
        return s;
    }

    private static Map<String, io.catchment.config.Layout> layouts(String s) {
        Map<String, io.catchment.config.Layout> m = new LinkedHashMap<>();
        if (s.isEmpty()) return m;
        for (String part : s.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("'" + part.trim() + "' is not source=layout");
            m.put(kv[0].trim(), io.catchment.config.Layout.parse(kv[1]));
        }
        return m;
    }

    private static String oneOf(String s, String... allowed) {
        for (String a : allowed) if (a.equals(s)) return s;
        throw new IllegalArgumentException("'" + s + "' is not one of " + String.join(", ", allowed));
    }

    private static Map<String, String> properties(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s.isEmpty()) return m;
        for (String part : s.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2 || kv[0].isBlank())
                throw new IllegalArgumentException("'" + part.trim() + "' is not key=value");
            m.put(kv[0].trim(), kv[1].trim());
        }
        return m;
    }

    private static Boolean bool(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        };
    }

    static String key(String k) {
        if (!KEY.matcher(k).matches()) {
            throw new IllegalArgumentException("a key must be 8 to 200 characters of letters, digits and _-.~ (got "
                    + k.length() + " characters)");
        }
        return k;
    }

    private static Map<String, String> writeKeys(String s) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (s.isEmpty()) return keys;
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String k = key(eq < 0 ? p : p.substring(0, eq).trim());
            String source = eq < 0 ? "default" : p.substring(eq + 1).trim();
            if (!SOURCE.matcher(source).matches()) {
                throw new IllegalArgumentException(
                        "source name '" + source + "' must be 1 to 100 letters, digits or _-.");
            }
            if (keys.put(k, source) != null) throw new IllegalArgumentException("key listed twice");
        }
        return keys;
    }
}
