package io.catchment.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads configuration from, in rising priority: defaults, the YAML file ({@code catchment.yaml} in the working
 * directory, or the one given), environment variables ({@code CATCHMENT_*}), then command-line overrides. Everything is
 * validated here; the first problem is reported naming the key, where it came from and what is wrong.
 */
public final class ConfigLoader {
    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    public CatchmentConfig load(Path file, Map<String, String> overrides) {
        Map<String, String> fromFile = file == null ? Map.of() : readYaml(file);
        Map<String, String> origin = new HashMap<>();
        Map<String, String> raw = new HashMap<>();
        Set<String> known = Settings.ALL.stream().map(Setting::key).collect(Collectors.toSet());
        for (String k : fromFile.keySet()) {
            if (!known.contains(k))
                throw new ConfigException("unknown key '" + k + "' in " + file + "; known keys: " + known);
        }
        for (Setting<?> s : Settings.ALL) {
            String v = s.defaultValue();
            String o = "default";
            if (fromFile.containsKey(s.key())) {
                v = fromFile.get(s.key());
                o = file.toString();
            }
            if (env.containsKey(s.env())) {
                v = env.get(s.env());
                o = "environment variable " + s.env();
            }
            if (overrides.containsKey(s.key())) {
                v = overrides.get(s.key());
                o = "command line";
            }
            raw.put(s.key(), v);
            origin.put(s.key(), o);
        }
        Parsed p = new Parsed(raw, origin);
        long maxRequest = p.get(ServerSettings.MAX_REQUEST_BYTES);
        long maxEvent = p.get(ServerSettings.MAX_EVENT_BYTES);
        if (maxEvent > maxRequest) {
            throw new ConfigException("invalid limits.max_event_bytes: " + maxEvent
                    + " is larger than limits.max_request_bytes (" + maxRequest + ")");
        }
        long segment = p.get(LoadingSettings.LOG_SEGMENT_BYTES);
        long quota = p.get(LoadingSettings.LOG_MAX_BYTES);
        if (quota < 2 * segment) {
            throw new ConfigException("invalid log.max_bytes: " + quota + " must be at least twice log.segment_bytes ("
                    + segment + "), or the active segment alone could fill the quota");
        }
        var tls = new CatchmentConfig.Tls(
                p.get(ServerSettings.TLS_CERT),
                p.get(ServerSettings.TLS_KEY),
                p.get(ServerSettings.TLS_SELF_SIGNED),
                p.get(ServerSettings.TLS_PORT));
        if (tls.cert().isEmpty() != tls.key().isEmpty()) {
            throw new ConfigException("invalid tls: set both tls.cert and tls.key (PEM files), or neither");
        }
        if (!tls.cert().isEmpty() && tls.selfSigned()) {
            throw new ConfigException("invalid tls.self_signed: it replaces tls.cert/tls.key; set one or the other");
        }
        for (String f : new String[] {tls.cert(), tls.key()}) {
            if (!f.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
                throw new ConfigException("invalid tls: " + f + " is not a readable file");
            }
        }
        var keys = new CatchmentConfig.Keys(p.get(ServerSettings.WRITE_KEYS), p.get(ServerSettings.ADMIN_KEY));
        if (keys.writeKeys().containsKey(keys.adminKey())) {
            throw new ConfigException("invalid admin_key: the admin key must differ from every write key");
        }
        var kafka = new CatchmentConfig.Kafka(
                p.get(ScaleOutSettings.KAFKA_BOOTSTRAP_SERVERS),
                p.get(ScaleOutSettings.KAFKA_TOPIC),
                p.get(ScaleOutSettings.KAFKA_DEAD_LETTER_TOPIC),
                p.get(ScaleOutSettings.KAFKA_PARTITIONS),
                p.get(ScaleOutSettings.KAFKA_REPLICATION_FACTOR),
                p.get(ScaleOutSettings.KAFKA_GROUP),
                p.get(ScaleOutSettings.KAFKA_PROPERTIES));
        if (p.get(ScaleOutSettings.LOG_TYPE).equals("kafka")
                && kafka.bootstrapServers().isBlank()) {
            throw new ConfigException(
                    "invalid kafka.bootstrap_servers: log.type is kafka, so the brokers must be given "
                            + "(host:port, comma-separated)");
        }
        long maxMessage = p.get(ScaleOutSettings.SQS_MAX_MESSAGE_BYTES);
        if (maxMessage > 1 << 20) {
            throw new ConfigException("invalid sqs.max_message_bytes: " + maxMessage + " is above SQS's 1 MiB limit");
        }
        if (p.get(ScaleOutSettings.LOG_TYPE).equals("sqs")) {
            fifo("sqs.queue", p.get(ScaleOutSettings.SQS_QUEUE));
            fifo("sqs.dead_letter_queue", p.get(ScaleOutSettings.SQS_DEAD_LETTER_QUEUE));
        }
        var sqs = new CatchmentConfig.Sqs(
                p.get(ScaleOutSettings.SQS_QUEUE),
                p.get(ScaleOutSettings.SQS_REGION),
                p.get(ScaleOutSettings.SQS_ENDPOINT),
                p.get(ScaleOutSettings.SQS_CREATE),
                p.get(ScaleOutSettings.SQS_DEAD_LETTER_QUEUE),
                p.get(ScaleOutSettings.SQS_MAX_RECEIVE_COUNT),
                p.get(ScaleOutSettings.SQS_VISIBILITY_TIMEOUT),
                p.get(ScaleOutSettings.SQS_RECEIVERS),
                p.get(ScaleOutSettings.SQS_SENDERS),
                (int) maxMessage,
                p.get(ScaleOutSettings.SQS_LINGER));
        return new CatchmentConfig(
                new CatchmentConfig.Server(
                        p.get(ServerSettings.HOST),
                        p.get(ServerSettings.PORT),
                        maxRequest,
                        maxEvent,
                        p.get(ServerSettings.EVENTS_PER_SECOND),
                        tls,
                        new CatchmentConfig.Connections(
                                p.get(ServerSettings.HTTP_IDLE_TIMEOUT),
                                p.get(ServerSettings.HTTP_MIN_REQUEST_RATE),
                                p.get(ServerSettings.HTTP_MAX_CONNECTIONS),
                                p.get(ServerSettings.HTTP_MAX_THREADS)),
                        new CatchmentConfig.Cors(
                                p.get(ServerSettings.CORS_ALLOWED_ORIGINS), p.get(ServerSettings.CORS_ADMIN_ORIGINS))),
                p.get(ServerSettings.DATA_DIR),
                keys,
                new CatchmentConfig.Log(
                        p.get(ScaleOutSettings.LOG_TYPE),
                        p.get(LoadingSettings.LOG_SEGMENT_BYTES),
                        p.get(LoadingSettings.LOG_MAX_BYTES),
                        p.get(LoadingSettings.LOG_RETENTION)),
                new CatchmentConfig.Loader(
                        p.get(LoadingSettings.LOADER_ENABLED),
                        p.get(LoadingSettings.LOADER_BATCH_EVENTS),
                        p.get(LoadingSettings.LOADER_BATCH_WAIT),
                        p.get(LoadingSettings.MAX_FIELDS_PER_EVENT),
                        p.get(LoadingSettings.MAX_COLUMNS),
                        p.get(LoadingSettings.LAYOUT),
                        p.get(LoadingSettings.LAYOUT_BY_SOURCE),
                        p.get(LoadingSettings.LOADER_STALL_AFTER),
                        new CatchmentConfig.Retention(
                                p.get(LoadingSettings.RETENTION_EVENTS),
                                p.get(LoadingSettings.RETENTION_TABLES),
                                p.get(LoadingSettings.RETENTION_DEAD_LETTERS),
                                p.get(LoadingSettings.RETENTION_EVERY))),
                new CatchmentConfig.Query(
                        p.get(StoreSettings.QUERY_MAX_ROWS),
                        p.get(StoreSettings.QUERY_TIMEOUT),
                        p.get(StoreSettings.QUERY_MAX_CONCURRENT),
                        p.get(StoreSettings.QUERY_QUEUE_WAIT),
                        p.get(StoreSettings.ANALYTICS_TIMEZONE),
                        p.get(StoreSettings.ANALYTICS_CACHE_SERIES)),
                new CatchmentConfig.DuckDb(
                        p.get(StoreSettings.DUCKDB_MEMORY_LIMIT),
                        p.get(StoreSettings.DUCKDB_CHECKPOINT_THRESHOLD),
                        p.get(LoadingSettings.DEDUP_ENABLED),
                        p.get(StoreSettings.DUCKDB_BLOCK_SIZE),
                        p.get(ScaleOutSettings.STORE_TYPE),
                        p.get(StoreSettings.IMPORT_DUCKDB_MEMORY_LIMIT),
                        p.get(StoreSettings.DUCKDB_PERSON_INDEX),
                        p.get(LoadingSettings.DEDUP_WINDOW),
                        p.get(LoadingSettings.DEDUP_MEMORY),
                        p.get(StoreSettings.DUCKDB_THREADS),
                        p.get(StoreSettings.IMPORT_DUCKDB_THREADS)),
                kafka,
                new CatchmentConfig.ClickHouse(
                        p.get(ScaleOutSettings.CLICKHOUSE_URL),
                        p.get(ScaleOutSettings.CLICKHOUSE_DATABASE),
                        p.get(ScaleOutSettings.CLICKHOUSE_USER),
                        p.get(ScaleOutSettings.CLICKHOUSE_PASSWORD),
                        p.get(ScaleOutSettings.CLICKHOUSE_CLUSTER),
                        p.get(ScaleOutSettings.CLICKHOUSE_QUERY_MAX_MEMORY)),
                sqs);
    }

    private record Parsed(Map<String, String> raw, Map<String, String> origin) {
        <T> T get(Setting<T> s) {
            return s.parse(raw.get(s.key()), origin.get(s.key()));
        }
    }

    /** Flattens nested YAML maps to dotted keys; lists become comma-separated values. */
    static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new HashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) return out;
        if (!root.isObject()) throw new ConfigException("config file " + file + " must be a YAML mapping of keys");
        flatten("", root, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String k = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject() && !k.equals("write_keys")) {
                flatten(k + ".", v, out);
            } else if (v.isObject()) {
                StringBuilder b = new StringBuilder();
                v.properties()
                        .forEach(f -> b.append(b.length() > 0 ? "," : "")
                                .append(f.getKey())
                                .append('=')
                                .append(f.getValue().asText()));
                out.put(k, b.toString());
            } else if (v.isArray()) {
                StringBuilder b = new StringBuilder();
                v.forEach(x -> b.append(b.length() > 0 ? "," : "").append(x.asText()));
                out.put(k, b.toString());
            } else {
                out.put(k, v.isNull() ? "" : v.asText());
            }
        }
    }

    /**
     * A FIFO queue (its name ends in {@code .fifo}, as SQS requires) is refused with the reason: every message sent to
     * it needs one message group, and a message here packs many users' events from many requests; what FIFO would add
     * is there on a standard queue (the duplicate check drops what at-least-once delivery repeats, and a user's traits
     * merge by event time, not by arrival). docs/scale-out.md, "Standard queues only".
     */
    private static void fifo(String setting, String queue) {
        String name = queue.endsWith("/") ? queue.substring(0, queue.length() - 1) : queue;
        if (name.endsWith(".fifo"))
            throw new ConfigException("invalid " + setting + ": " + queue + " is a FIFO queue; Catchment needs a "
                    + "standard queue (a message packs many users' events, so it has no one message group; the "
                    + "duplicate check and the event-time merge of users' traits make FIFO's deduplication and "
                    + "ordering unnecessary)");
    }
}
