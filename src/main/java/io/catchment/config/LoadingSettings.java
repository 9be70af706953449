package io.catchment.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How events become rows: schema limits and layout, the local log's segments, the loader's batches and the duplicate
 * rule. Part of {@link Settings#ALL}.
 */
public final class LoadingSettings {
    private LoadingSettings() {}

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
    public static final Setting<Layout> LAYOUT = new Setting<>(
            "schema.layout",
            "per-event",
            "per-event (events + one table per event name) or single (one wide events table)",
            Layout::parse);
    public static final Setting<Map<String, Layout>> LAYOUT_BY_SOURCE = new Setting<>(
            "schema.layout_by_source",
            "",
            "per-source layouts, comma-separated source=layout (mobile=single)",
            LoadingSettings::layouts);
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
    public static final Setting<Duration> RETENTION_EVENTS = new Setting<>(
            "retention.events",
            "0s",
            "events older than this (by their timestamp) are deleted in the background, from every table (0s: kept "
                    + "forever)",
            Setting.duration());
    public static final Setting<Map<String, Duration>> RETENTION_TABLES = new Setting<>(
            "retention.tables",
            "",
            "retention of single tables, overriding retention.events: table=duration,… (0s: kept forever)",
            LoadingSettings::durations);
    public static final Setting<Duration> RETENTION_DEAD_LETTERS = new Setting<>(
            "retention.dead_letters",
            "0s",
            "dead letters whose last failure is older than this are purged in the background (0s: kept forever)",
            Setting.duration());
    public static final Setting<Duration> RETENTION_EVERY = new Setting<>(
            "retention.check_every", "1h", "how often the retention deletes what has expired", Setting.duration());
    public static final Setting<Boolean> DEDUP_ENABLED = new Setting<>(
            "dedup.enabled",
            "true",
            "skip rows whose id is already in their table within dedup.window of the same UTC day of timestamp",
            Settings::bool);
    public static final Setting<Integer> DEDUP_WINDOW = new Setting<>(
            "dedup.window",
            "day",
            "events with the same id are duplicates when their UTC days are the same (day) or less than N days apart "
                    + "(Nd, like 3d: up to 2 days apart, either way)",
            LoadingSettings::window);
    public static final Setting<Long> DEDUP_MEMORY = new Setting<>(
            "dedup.memory",
            "auto",
            "heap for the per-day sets of stored id hashes that spare each batch a look-up in the store: 4.4 to 8 MB "
                    + "per million events of a day held; a day that does not fit is looked up in the store, at a cost that "
                    + "grows with its rows (0: always). auto is a third of the heap",
            s -> s.equals("auto")
                    ? Runtime.getRuntime().maxMemory() / 3
                    : Setting.size(0).apply(s));

    private static int window(String s) {
        if (s.equals("day")) return 1;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d{1,3})d").matcher(s);
        int days = m.matches() ? Integer.parseInt(m.group(1)) : 0;
        if (days < 1 || days > 366) {
            throw new IllegalArgumentException("'" + s + "' is not day or a number of days from 1d to 366d");
        }
        return days;
    }

    private static Map<String, Duration> durations(String s) {
        return pairs(s, "table=duration", Setting.duration());
    }

    private static Map<String, Layout> layouts(String s) {
        return pairs(s, "source=layout", Layout::parse);
    }

    /** {@code key=value,…} with each value parsed; {@code shape} names the form in the error. */
    private static <V> Map<String, V> pairs(String s, String shape, java.util.function.Function<String, V> value) {
        Map<String, V> m = new LinkedHashMap<>();
        if (s.isEmpty()) return m;
        for (String part : s.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("'" + part.trim() + "' is not " + shape);
            m.put(kv[0].trim(), value.apply(kv[1].trim()));
        }
        return m;
    }
}
