package io.catchment.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which log and store run (local or Kafka; DuckDB or ClickHouse) and how to reach Kafka and ClickHouse. Part of
 * {@link Settings#ALL}.
 */
public final class ScaleOutSettings {
    private ScaleOutSettings() {}

    public static final Setting<String> LOG_TYPE = new Setting<>(
            "log.type",
            "local",
            "local (segment files under data_dir), kafka (kafka.* settings) or sqs (sqs.* settings)",
            s -> oneOf(s, "local", "kafka", "sqs"));
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
            Settings::nonEmpty);
    public static final Setting<String> KAFKA_DEAD_LETTER_TOPIC = new Setting<>(
            "kafka.dead_letter_topic",
            "catchment.dead-letters",
            "compacted topic of dead letters (created when missing)",
            Settings::nonEmpty);
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
            new Setting<>("kafka.group", "catchment-loaders", "consumer group the loaders form", Settings::nonEmpty);
    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = new Setting<>(
            "kafka.properties",
            "",
            "extra Kafka client properties, comma-separated k=v (security.protocol=SASL_SSL,sasl.mechanism=...)",
            ScaleOutSettings::properties);
    public static final Setting<String> SQS_QUEUE = new Setting<>(
            "sqs.queue",
            "catchment-events",
            "SQS queue of accepted events, a standard queue (not .fifo): a name (looked up, created when missing "
                    + "with sqs.create) or a queue URL",
            Settings::nonEmpty);
    public static final Setting<String> SQS_REGION = new Setting<>(
            "sqs.region", "", "AWS region of the queue; empty: the SDK's default region chain, else us-east-1", s -> s);
    public static final Setting<String> SQS_ENDPOINT = new Setting<>(
            "sqs.endpoint",
            "",
            "endpoint override for an SQS-compatible service (http://host:port); empty: AWS",
            s -> s);
    public static final Setting<Boolean> SQS_CREATE = new Setting<>(
            "sqs.create",
            "true",
            "create the queue and its dead-letter queue when missing (14 days retention, redrive policy); "
                    + "false: use them as they are",
            Settings::bool);
    public static final Setting<String> SQS_DEAD_LETTER_QUEUE = new Setting<>(
            "sqs.dead_letter_queue",
            "",
            "SQS's dead-letter queue (name or URL); empty: the queue's redrive target, or QUEUE-dlq when created",
            s -> s);
    public static final Setting<Integer> SQS_MAX_RECEIVE_COUNT = new Setting<>(
            "sqs.max_receive_count",
            "5",
            "receives before SQS moves a message to the dead-letter queue (redrive policy of a queue Catchment creates)",
            Setting.intRange(1, 1000));
    public static final Setting<java.time.Duration> SQS_VISIBILITY_TIMEOUT = new Setting<>(
            "sqs.visibility_timeout",
            "60s",
            "visibility timeout of a received message (asked for at each receive, whatever the queue's own; 3s to 12h); "
                    + "extended every third of it while its batch is in work",
            Setting.seconds(
                    java.time.Duration.ofSeconds(3),
                    java.time.Duration.ofHours(12),
                    "SQS takes up to 12 hours; the loader extends it every third, at most once a second"));
    public static final Setting<Integer> SQS_RECEIVERS = new Setting<>(
            "sqs.receivers",
            "4",
            "threads per process that long-poll and decode messages for its one loader",
            Setting.intRange(1, 64));
    public static final Setting<Integer> SQS_SENDERS = new Setting<>(
            "sqs.senders", "4", "SendMessageBatch calls in flight at once per process", Setting.intRange(1, 64));
    public static final Setting<java.time.Duration> SQS_LINGER = new Setting<>(
            "sqs.linger",
            "0ms",
            "longest a request's events wait for others to fill its message before the send, up to 250ms (fewer, "
                    + "fuller messages: fewer SQS requests per event, for a little ack latency); 0: sent as soon as a "
                    + "sender is free",
            Setting.durationRange(
                    java.time.Duration.ZERO,
                    java.time.Duration.ofMillis(250),
                    "the longest a sender gathers while a batch is in flight"));
    public static final Setting<Long> SQS_MAX_MESSAGE_BYTES = new Setting<>(
            "sqs.max_message_bytes",
            "256KB",
            "largest message body Catchment sends, and largest SendMessageBatch (SQS: 256 KiB, or up to 1 MiB)",
            Setting.size(16 << 10));
    public static final Setting<String> CLICKHOUSE_URL = new Setting<>(
            "clickhouse.url",
            "http://127.0.0.1:8123",
            "ClickHouse HTTP endpoint (needed with store.type=clickhouse)",
            Settings::nonEmpty);
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
            new Setting<>("clickhouse.user", "default", "ClickHouse user", Settings::nonEmpty);
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
}
