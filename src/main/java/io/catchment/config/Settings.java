package io.catchment.config;

import java.util.List;
import java.util.Locale;

/**
 * Every configuration key Catchment reads, in one place: {@link #ALL}, in the order {@code catchment serve --help}
 * prints them. Each is declared with its key, default, description and validation in the class of its area:
 * {@link ServerSettings}, {@link LoadingSettings}, {@link StoreSettings}, {@link ScaleOutSettings}.
 */
public final class Settings {
    private Settings() {}

    public static final List<Setting<?>> ALL = List.of(
            ServerSettings.PORT,
            ServerSettings.HOST,
            ServerSettings.DATA_DIR,
            ServerSettings.WRITE_KEYS,
            ServerSettings.ADMIN_KEY,
            ServerSettings.HTTP_IDLE_TIMEOUT,
            ServerSettings.HTTP_MIN_REQUEST_RATE,
            ServerSettings.HTTP_MAX_CONNECTIONS,
            ServerSettings.HTTP_MAX_THREADS,
            ServerSettings.CORS_ALLOWED_ORIGINS,
            ServerSettings.CORS_ADMIN_ORIGINS,
            ServerSettings.MAX_REQUEST_BYTES,
            ServerSettings.MAX_EVENT_BYTES,
            ServerSettings.EVENTS_PER_SECOND,
            LoadingSettings.MAX_FIELDS_PER_EVENT,
            LoadingSettings.MAX_COLUMNS,
            LoadingSettings.LAYOUT,
            LoadingSettings.LAYOUT_BY_SOURCE,
            LoadingSettings.LOG_SEGMENT_BYTES,
            LoadingSettings.LOG_MAX_BYTES,
            LoadingSettings.LOG_RETENTION,
            LoadingSettings.RETENTION_EVENTS,
            LoadingSettings.RETENTION_TABLES,
            LoadingSettings.RETENTION_DEAD_LETTERS,
            LoadingSettings.RETENTION_EVERY,
            LoadingSettings.LOADER_BATCH_EVENTS,
            LoadingSettings.LOADER_BATCH_WAIT,
            LoadingSettings.LOADER_STALL_AFTER,
            LoadingSettings.LOADER_ENABLED,
            LoadingSettings.DEDUP_ENABLED,
            LoadingSettings.DEDUP_WINDOW,
            LoadingSettings.DEDUP_MEMORY,
            StoreSettings.QUERY_MAX_ROWS,
            StoreSettings.QUERY_TIMEOUT,
            StoreSettings.QUERY_MAX_CONCURRENT,
            StoreSettings.QUERY_QUEUE_WAIT,
            StoreSettings.ANALYTICS_TIMEZONE,
            StoreSettings.ANALYTICS_CACHE_SERIES,
            StoreSettings.DUCKDB_MEMORY_LIMIT,
            StoreSettings.IMPORT_DUCKDB_MEMORY_LIMIT,
            StoreSettings.DUCKDB_THREADS,
            StoreSettings.IMPORT_DUCKDB_THREADS,
            StoreSettings.DUCKDB_CHECKPOINT_THRESHOLD,
            StoreSettings.DUCKDB_BLOCK_SIZE,
            StoreSettings.DUCKDB_PERSON_INDEX,
            ServerSettings.TLS_CERT,
            ServerSettings.TLS_KEY,
            ServerSettings.TLS_SELF_SIGNED,
            ServerSettings.TLS_PORT,
            ScaleOutSettings.LOG_TYPE,
            ScaleOutSettings.STORE_TYPE,
            ScaleOutSettings.KAFKA_BOOTSTRAP_SERVERS,
            ScaleOutSettings.KAFKA_TOPIC,
            ScaleOutSettings.KAFKA_DEAD_LETTER_TOPIC,
            ScaleOutSettings.KAFKA_PARTITIONS,
            ScaleOutSettings.KAFKA_REPLICATION_FACTOR,
            ScaleOutSettings.KAFKA_GROUP,
            ScaleOutSettings.KAFKA_PROPERTIES,
            ScaleOutSettings.SQS_QUEUE,
            ScaleOutSettings.SQS_REGION,
            ScaleOutSettings.SQS_ENDPOINT,
            ScaleOutSettings.SQS_CREATE,
            ScaleOutSettings.SQS_DEAD_LETTER_QUEUE,
            ScaleOutSettings.SQS_MAX_RECEIVE_COUNT,
            ScaleOutSettings.SQS_VISIBILITY_TIMEOUT,
            ScaleOutSettings.SQS_RECEIVERS,
            ScaleOutSettings.SQS_SENDERS,
            ScaleOutSettings.SQS_LINGER,
            ScaleOutSettings.SQS_MAX_MESSAGE_BYTES,
            ScaleOutSettings.CLICKHOUSE_URL,
            ScaleOutSettings.CLICKHOUSE_DATABASE,
            ScaleOutSettings.CLICKHOUSE_USER,
            ScaleOutSettings.CLICKHOUSE_PASSWORD,
            ScaleOutSettings.CLICKHOUSE_CLUSTER,
            ScaleOutSettings.CLICKHOUSE_QUERY_MAX_MEMORY);

    static String nonEmpty(String s) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException("must not be empty");
        return s;
    }

    static Boolean bool(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        };
    }
}
