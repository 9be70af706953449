package io.catchment.config;

import java.time.Duration;

/**
 * The query API's limits and DuckDB's memory and file settings (the server's and the import's). Part of
 * {@link Settings#ALL}.
 */
public final class StoreSettings {
    private StoreSettings() {}

    /** DuckDB's worker threads: 1 to 1024, or auto (0: DuckDB's own default, one per core). */
    private static Integer threads(String s) {
        return s.equals("auto") ? 0 : Setting.intRange(1, 1024).apply(s);
    }

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
    public static final Setting<Integer> ANALYTICS_CACHE_SERIES = new Setting<>(
            "analytics.cache_series",
            "256",
            "trends series whose answers per bucket are kept between requests and recomputed only where the data"
                    + " changed (0: none)",
            Setting.intRange(0, 100_000));
    public static final Setting<java.time.ZoneId> ANALYTICS_TIMEZONE = new Setting<>(
            "analytics.timezone",
            "UTC",
            "the IANA time zone of the reports' days and hours when a request names none (like Europe/Berlin)",
            s -> {
                try {
                    return java.time.ZoneId.of(s.trim());
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException(
                            "'" + s + "' is not an IANA time zone (like Europe/Berlin or UTC)");
                }
            });
    public static final Setting<String> DUCKDB_MEMORY_LIMIT = new Setting<>(
            "duckdb.memory_limit", "1GB", "DuckDB's memory_limit (outside the Java heap)", Settings::nonEmpty);
    public static final Setting<String> IMPORT_DUCKDB_MEMORY_LIMIT = new Setting<>(
            "import.duckdb_memory_limit",
            "384MB",
            "DuckDB's memory_limit while `catchment import` loads straight into the store: a bulk load needs less than a "
                    + "server that also answers queries, and the import then stays under 1.5 GB of memory with its 640 MB heap",
            Settings::nonEmpty);
    public static final Setting<Integer> DUCKDB_THREADS = new Setting<>(
            "duckdb.threads",
            "auto",
            "DuckDB's worker threads for the server's queries and loading; auto: one per core",
            StoreSettings::threads);
    public static final Setting<Integer> IMPORT_DUCKDB_THREADS = new Setting<>(
            "import.duckdb_threads",
            "1",
            "DuckDB's worker threads while `catchment import` loads straight into the store (auto: one per core). One: "
                    + "an import's writes are many inserts into wide tables, where a second DuckDB thread doubles their CPU "
                    + "without speeding them up, and the import's reading and routing threads need the other cores",
            StoreSettings::threads);
    public static final Setting<String> DUCKDB_CHECKPOINT_THRESHOLD = new Setting<>(
            "duckdb.checkpoint_threshold",
            "512MB",
            "WAL size that triggers a DuckDB checkpoint; larger loads faster but holds more in memory (keep it well under "
                    + "duckdb.memory_limit) and replays longer after a crash",
            Settings::nonEmpty);
    public static final Setting<Boolean> DUCKDB_PERSON_INDEX = new Setting<>(
            "duckdb.person_index",
            "false",
            "an index on person_key in every table, for a person's page and event stream in tens of milliseconds at "
                    + "millions of events (a scan of the key column otherwise); costs loader speed and disk (BENCHMARKS.md, "
                    + "session 13)",
            Settings::bool);
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
}
