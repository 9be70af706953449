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
