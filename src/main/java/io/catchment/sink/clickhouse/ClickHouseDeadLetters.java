package io.catchment.sink.clickhouse;

import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Dead letters in ClickHouse: {@code _dead_letters}, a ReplacingMergeTree keyed by the dead letter's key, read with
 * {@code FINAL}. ClickHouse has no UPDATE in a transaction, so every change is a new version of the row: another
 * failure (attempts + 1), a replay ({@code replayed_at}), a purge ({@code deleted = 1}). Same contract as the DuckDB
 * table; dead letters are few, so reading their latest versions is cheap.
 */
final class ClickHouseDeadLetters {
    private static final List<String> COLUMNS = List.of(
            "key",
            "event_id",
            "table_name",
            "reason",
            "attempts",
            "first_failed_at",
            "last_failed_at",
            "replayed_at",
            "log_offset",
            "event",
            "deleted",
            "version");
    private final ClickHouse ch;
    private final String table;
    private final LongSupplier version;

    ClickHouseDeadLetters(ClickHouse ch, String db, LongSupplier version) {
        this.ch = ch;
        this.table = ClickHouse.ident(db) + "." + ClickHouse.ident("_dead_letters");
        this.version = version;
    }

    synchronized void add(List<DeadLetter> letters) {
        if (letters.isEmpty()) return;
        Map<String, DeadLetter> byKey = new LinkedHashMap<>();
        for (DeadLetter d : letters) byKey.put(hashKey(d.event()), d);
        Map<String, DeadLetterStore.Entry> known = new LinkedHashMap<>();
        for (DeadLetterStore.Entry e :
                list(new DeadLetterStore.Filter(List.copyOf(byKey.keySet()), null, null, true), byKey.size())) {
            known.put(e.key(), e);
        }
        String now = Instant.now().toString();
        StringBuilder rows = new StringBuilder();
        long v = version.getAsLong();
        byKey.forEach((key, d) -> {
            DeadLetterStore.Entry was = known.get(key);
            rows.append(ClickHouse.line(
                    key,
                    d.eventId(),
                    d.table(),
                    d.reason(),
                    was == null ? 1 : was.attempts() + 1,
                    was == null ? now : was.firstFailedAt().toString(),
                    now,
                    null,
                    d.logOffset(),
                    d.event(),
                    0,
                    v));
        });
        insert(rows);
    }

    private void insert(StringBuilder rows) {
        ch.insert(table, COLUMNS, out -> out.write(rows.toString().getBytes(StandardCharsets.UTF_8)));
    }

    List<DeadLetterStore.Entry> list(DeadLetterStore.Filter f, int limit) {
        List<DeadLetterStore.Entry> out = new ArrayList<>();
        for (String[] r :
                ch.rows("SELECT key, event_id, table_name, reason, attempts, first_failed_at, last_failed_at, "
                        + "replayed_at, log_offset, event FROM " + table + " FINAL" + where(f)
                        + " ORDER BY first_failed_at, key LIMIT "
                        + limit)) {
            out.add(new DeadLetterStore.Entry(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    Integer.parseInt(r[4]),
                    time(r[5]),
                    time(r[6]),
                    time(r[7]),
                    Long.parseLong(r[8]),
                    r[9]));
        }
        return out;
    }

    synchronized int markReplayed(List<String> keys) {
        if (keys.isEmpty()) return 0;
        return rewrite(new DeadLetterStore.Filter(keys, null, null, true), false);
    }

    synchronized int purge(DeadLetterStore.Filter f) {
        return rewrite(f, true);
    }

    /** Writes a new version of every matching entry: replayed now, or deleted. */
    private int rewrite(DeadLetterStore.Filter f, boolean delete) {
        List<DeadLetterStore.Entry> entries = list(f, 1_000_000);
        if (entries.isEmpty()) return 0;
        String now = Instant.now().toString();
        long v = version.getAsLong();
        StringBuilder rows = new StringBuilder();
        for (DeadLetterStore.Entry e : entries) {
            rows.append(ClickHouse.line(
                    e.key(),
                    e.eventId(),
                    e.table(),
                    e.reason(),
                    e.attempts(),
                    e.firstFailedAt(),
                    e.lastFailedAt(),
                    delete ? e.replayedAt() : now,
                    e.logOffset(),
                    e.event(),
                    delete ? 1 : 0,
                    v));
        }
        insert(rows);
        return entries.size();
    }

    long pending() {
        return Long.parseLong(
                ch.one("SELECT count() FROM " + table + " FINAL WHERE deleted = 0 AND replayed_at IS NULL"));
    }

    private static String where(DeadLetterStore.Filter f) {
        List<String> c = new ArrayList<>();
        c.add("deleted = 0");
        if (!f.includeReplayed()) c.add("replayed_at IS NULL");
        if (!f.keys().isEmpty())
            c.add("key IN ("
                    + String.join(
                            ", ", f.keys().stream().map(ClickHouse::literal).toList()) + ")");
        if (f.reason() != null)
            c.add("positionCaseInsensitiveUTF8(reason, " + ClickHouse.literal(f.reason()) + ") > 0");
        if (f.since() != null) c.add("last_failed_at >= " + time(f.since()));
        if (f.before() != null) c.add("last_failed_at < " + time(f.before()));
        return " WHERE " + String.join(" AND ", c);
    }

    private static String time(Instant t) {
        String text = t.toString().replace('T', ' ').replace("Z", "").replaceAll("\\.\\d+$", "");
        return "toDateTime(" + ClickHouse.literal(text) + ", 'UTC')";
    }

    private static Instant time(String chTime) {
        return chTime == null ? null : Instant.parse(ClickHouse.iso(chTime));
    }

    static String hashKey(String event) {
        return io.catchment.schema.Names.hash(event).substring(0, 24);
    }
}
