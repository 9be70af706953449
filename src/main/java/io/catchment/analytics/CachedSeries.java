package io.catchment.analytics;

import io.catchment.schema.IdentityLinks;
import io.catchment.schema.PersonKey;
import io.catchment.schema.TableSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trends series answered through the {@link BucketCache}: the request's observation of the store (rows per UTC day,
 * and the identity links when people are merged), then a statement over the buckets not kept (from the first to the
 * last of them), then the rows of every bucket as the series' own statement would give them.
 */
final class CachedSeries {
    /** More changed links than this between two requests drop the whole cache rather than look up their days. */
    static final int MAX_CHANGED_LINKS = 10_000;

    /** Computes the series' rows ({@code _b, _g, _v}) over a part of the range and its buckets. */
    interface Compute {
        List<List<Object>> rows(TimeRange part, long[] buckets);
    }

    private final Analytics a;
    private final Map<String, TableSchema> catalog;
    /** The links this request saw and the days whose people they changed, read once per request (null: not yet). */
    private BucketCache.Links links;

    private long[] linkedDays;

    CachedSeries(Analytics a, Map<String, TableSchema> catalog) {
        this.a = a;
        this.catalog = catalog;
    }

    /** Whether a series can be kept: the store keeps person keys, and the series has no breakdown. */
    static boolean applies(Analytics a, Map<String, TableSchema> catalog, boolean breakdown) {
        return a.cache.enabled() && !breakdown && Identities.keyed(catalog) && catalog.containsKey("events");
    }

    List<List<Object>> rows(
            String key, TimeRange range, Interval iv, long[] buckets, int windowDays, boolean merged, Compute compute) {
        long firstDay = Math.floorDiv(range.startEpoch(), 86_400) - windowDays - 1;
        long lastDay = Math.floorDiv(range.endEpoch(), 86_400) + 1;
        long deletions = a.sink.deletions();
        long[] dayRows = dayRows(firstDay, lastDay, deletions);
        if (merged && links == null) readLinks();
        BucketCache.Kept kept = a.cache.observe(
                key,
                new BucketCache.Observation(firstDay, dayRows, deletions, merged ? links : null),
                merged ? linkedDays : null);
        // the buckets to compute: not kept, or not covered entirely by the range
        int first = -1, last = -1;
        for (int i = 0; i < buckets.length; i++) {
            if (kept.values().containsKey(buckets[i]) && whole(range, iv, buckets[i])) continue;
            if (first < 0) first = i;
            last = i;
        }
        Map<Long, Object> values = new HashMap<>(kept.values());
        if (first >= 0) {
            Instant from =
                    max(range.start(), iv.start(buckets[first], range.zone()).toInstant());
            Instant to =
                    min(range.end(), iv.start(buckets[last] + 1, range.zone()).toInstant());
            long[] part = Arrays.copyOfRange(buckets, first, last + 1);
            Map<Long, Object> computed = new HashMap<>();
            for (long b : part) computed.put(b, null);
            for (List<Object> r : compute.rows(new TimeRange(range.zone(), from, to), part)) {
                long b = ((Number) Analytics.value(r.get(0))).longValue();
                if (computed.containsKey(b)) computed.put(b, r.get(2));
            }
            values.putAll(computed);
            Map<Long, Object> keep = new HashMap<>();
            Map<Long, long[]> spans = new HashMap<>();
            for (long b : part) {
                if (!whole(range, iv, b)) continue;
                keep.put(b, computed.get(b));
                Instant start = iv.start(b, range.zone())
                        .minusDays(Math.max(0, windowDays - 1))
                        .toInstant();
                spans.put(b, new long[] {
                    start.getEpochSecond(),
                    iv.start(b + 1, range.zone()).toInstant().getEpochSecond()
                });
            }
            a.cache.keep(key, kept.generation(), keep, spans, part.length);
        } else {
            a.cache.keep(key, kept.generation(), Map.of(), Map.of(), 0);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (long b : buckets) {
            Object v = values.get(b);
            if (v != null) rows.add(Arrays.asList(b, "", v));
        }
        return rows;
    }

    private static boolean whole(TimeRange range, Interval iv, long b) {
        return !iv.start(b, range.zone()).toInstant().isBefore(range.start())
                && !iv.start(b + 1, range.zone()).toInstant().isAfter(range.end());
    }

    /** Spans of days counted in one statement at most, while narrowing down; more: every day is counted. */
    static final int MAX_SPANS = 64;

    /**
     * Rows of {@code events} per UTC day from {@code firstDay} to {@code lastDay}. When every day's count is known and
     * the store only added rows since, by halving: a range whose total is the sum of its days' known counts has no
     * changed day (rows are only added), so only ranges whose total moved are split, down to the days that changed.
     * DuckDB answers a range's {@code count(*)} from its row groups' statistics, reading only the two row groups at
     * the range's ends (1–2 ms at 10M events, where counting every day's rows scans the range's timestamps: ~150 ms).
     */
    private long[] dayRows(long firstDay, long lastDay, long deletions) {
        long[] known = a.sql().clickhouse() ? null : a.cache.known(firstDay, lastDay, deletions);
        if (known != null) {
            List<long[]> spans = List.of(new long[] {firstDay, lastDay});
            while (!spans.isEmpty() && spans.size() <= MAX_SPANS) {
                Sql q = a.sql();
                for (int i = 0; i < spans.size(); i++) {
                    q.a((i > 0 ? " UNION ALL " : "") + "SELECT " + i + " AS _s, count(*) FROM events WHERE ");
                    days(q, spans.get(i)[0], spans.get(i)[1]);
                }
                List<long[]> split = new ArrayList<>();
                for (List<Object> r : a.rows(q, Integer.MAX_VALUE)) {
                    long[] s = spans.get((int) Analytics.number(r.get(0)));
                    long total = (long) Analytics.number(r.get(1)), sum = 0;
                    for (long d = s[0]; d <= s[1]; d++) sum += known[(int) (d - firstDay)];
                    if (total == sum) continue;
                    if (s[0] == s[1]) known[(int) (s[0] - firstDay)] = total;
                    else {
                        long mid = (s[0] + s[1]) / 2;
                        split.add(new long[] {s[0], mid});
                        split.add(new long[] {mid + 1, s[1]});
                    }
                }
                spans = split;
            }
            if (spans.isEmpty()) return known;
        }
        return everyDay(firstDay, lastDay);
    }

    /** Rows of {@code events} per UTC day from {@code firstDay} to {@code lastDay} (0 for a day without any). */
    private long[] everyDay(long firstDay, long lastDay) {
        Sql q = a.sql();
        String day = utcDay(q);
        q.a("SELECT " + day + " AS _d, count(*) FROM events WHERE ");
        days(q, firstDay, lastDay);
        q.a(" GROUP BY _d");
        long[] rows = new long[(int) (lastDay - firstDay + 1)];
        for (List<Object> r : a.rows(q)) {
            long d = (long) Analytics.number(r.get(0));
            if (d >= firstDay && d <= lastDay) rows[(int) (d - firstDay)] = (long) Analytics.number(r.get(1));
        }
        return rows;
    }

    /**
     * The first link of every linked id (as {@link Identities#persons} merges them), and the UTC days on which ids whose
     * first link changed since the cache last saw the links have events.
     */
    private void readLinks() {
        int n = BucketCache.GROUPS;
        long[] prints = new long[n];
        long[][] alias = new long[n][], person = new long[n][];
        BucketCache.Links known = a.cache.links();
        if (catalog.containsKey(IdentityLinks.TABLE)) {
            Sql q = a.sql();
            String first = "SELECT alias_key, "
                    + q.argMin(PersonKey.COLUMN, Sql.quoted(q.dialect, "timestamp"))
                    + " AS _p FROM " + IdentityLinks.TABLE + " WHERE alias_key IS NOT NULL";
            String group = q.clickhouse() ? "bitAnd(alias_key, " + (n - 1) + ")" : "(alias_key & " + (n - 1) + ")";
            q.a("SELECT " + group + " AS _g, "
                    + (q.clickhouse() ? "groupBitXor(cityHash64(alias_key, _p))" : "bit_xor(hash(alias_key, _p))")
                    + ", count(*) FROM (" + first + " GROUP BY alias_key) AS l GROUP BY _g");
            for (List<Object> r : a.rows(q, Integer.MAX_VALUE)) {
                int g = (int) Analytics.number(r.get(0));
                prints[g] = bits(r.get(1)) * 31 + bits(r.get(2));
            }
            List<Integer> changed = new ArrayList<>();
            for (int g = 0; g < n; g++) {
                if (known != null && known.prints()[g] == prints[g]) {
                    alias[g] = known.alias()[g];
                    person[g] = known.person()[g];
                } else changed.add(g);
            }
            if (!changed.isEmpty()) {
                Sql pairs = a.sql();
                pairs.a(first);
                if (known != null) {
                    pairs.a(" AND " + group + " IN (");
                    for (int i = 0; i < changed.size(); i++) pairs.a((i > 0 ? ", " : "") + changed.get(i));
                    pairs.a(")");
                }
                pairs.a(" GROUP BY alias_key ORDER BY alias_key");
                Map<Integer, List<long[]>> byGroup = new HashMap<>();
                for (List<Object> r : a.rows(pairs, Integer.MAX_VALUE)) {
                    long k = bits(r.get(0));
                    long p = r.get(1) == null ? 0 : bits(r.get(1));
                    byGroup.computeIfAbsent((int) (k & (n - 1)), g -> new ArrayList<>())
                            .add(new long[] {k, p});
                }
                for (int g : changed) {
                    List<long[]> l = byGroup.getOrDefault(g, List.of());
                    alias[g] = new long[l.size()];
                    person[g] = new long[l.size()];
                    for (int i = 0; i < l.size(); i++) {
                        alias[g][i] = l.get(i)[0];
                        person[g][i] = l.get(i)[1];
                    }
                }
            }
        } else {
            for (int g = 0; g < n; g++) alias[g] = person[g] = new long[0];
        }
        links = new BucketCache.Links(prints, alias, person);
        long[] changed = a.cache.changedAliases(links, MAX_CHANGED_LINKS);
        if (changed == null || changed.length == 0) {
            linkedDays = new long[0];
            return;
        }
        Sql q = a.sql();
        String day = utcDay(q);
        q.a("SELECT DISTINCT " + day + " FROM events WHERE " + PersonKey.COLUMN
                + (q.clickhouse() ? " IN (" : " IN (SELECT unnest(["));
        for (int i = 0; i < changed.length; i++) q.a((i > 0 ? ", " : "") + changed[i]);
        q.a(q.clickhouse() ? ")" : "]))");
        List<List<Object>> days = a.rows(q, Integer.MAX_VALUE);
        linkedDays = new long[days.size()];
        for (int i = 0; i < days.size(); i++)
            linkedDays[i] = (long) Analytics.number(days.get(i).get(0));
    }

    /** Appends the condition that a row's timestamp falls on a UTC day from {@code firstDay} to {@code lastDay}. */
    private static void days(Sql q, long firstDay, long lastDay) {
        q.id("timestamp")
                .a(" >= ")
                .time(Instant.ofEpochSecond(firstDay * 86_400))
                .a(" AND ")
                .id("timestamp")
                .a(" < ")
                .time(Instant.ofEpochSecond((lastDay + 1) * 86_400));
    }

    /** The UTC day number of a row's timestamp (floored, so that a day before 1970 is its own too). */
    private static String utcDay(Sql q) {
        return q.clickhouse()
                ? "intDiv(toUInt32(" + Sql.quoted(q.dialect, "timestamp") + "), 86400)"
                : "CAST(floor(epoch_us(" + Sql.quoted(q.dialect, "timestamp") + ") / 86400000000.0) AS BIGINT)";
    }

    /** A 64-bit integer as the store answers it (an unsigned one as its bits). */
    private static long bits(Object v) {
        if (v instanceof Number n) return n instanceof java.math.BigInteger b ? b.longValue() : n.longValue();
        return new java.math.BigInteger(v.toString()).longValue();
    }

    private static Instant max(Instant x, Instant y) {
        return x.isAfter(y) ? x : y;
    }

    private static Instant min(Instant x, Instant y) {
        return x.isBefore(y) ? x : y;
    }
}
