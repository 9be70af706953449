package io.catchment.analytics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trends' answers per bucket, kept between requests, so that asking for the last 90 days again recomputes only the
 * buckets whose data changed (counting a day's people exactly is a hash of every person-day: 10M events over 90 days,
 * 1.3 s on this machine's 2 cores, where the same report from this cache takes a statement over today).
 *
 * <p>Exact, not time-limited: a bucket is dropped as soon as a request sees that a UTC day its answer depends on
 * changed. Each request observes, in the snapshot its statements read: the number of rows of {@code events} on each
 * UTC day its range depends on (a late event, a replayed dead letter, an import or a retention delete changes it; rows
 * are never updated in place), and the identity links (a new link can merge two people on any day the linked id has
 * events, so the days of those ids' rows are looked up and dropped). An observation that differs from the last one
 * drops every bucket, of every entry, that depends on a changed day. Answers computed in a request are kept only if
 * no other request changed what is known meanwhile ({@link #generation}); otherwise they are returned but not kept.
 *
 * <p>Only buckets a request covers entirely are kept (a range that starts or ends mid-bucket computes its edge buckets
 * each time). An entry is one series (its selection, measure, interval, zone, identity and precision); at most
 * {@code capacity} entries are kept, least recently used dropped first. Thread-safe.
 */
final class BucketCache {
    /** One series' kept buckets: its value (null: no row) and the epoch seconds [from, to) its answer depends on. */
    private static final class Entry {
        final Map<Long, Object> values = new HashMap<>();
        final Map<Long, long[]> spans = new HashMap<>();
    }

    /**
     * What a request saw: rows per UTC day over the days it depends on, the store's {@code Sink.deletions()} when it
     * looked, and the links.
     */
    record Observation(long firstDay, long[] rows, long deletions, Links links) {}

    /**
     * The links as each alias key's first person key, in {@link #GROUPS} groups by the alias key's low bits: per group
     * a fingerprint of its pairs and the pairs sorted by alias. A request reads the groups' fingerprints (one small
     * statement) and the pairs of the groups whose fingerprint changed only.
     */
    record Links(long[] prints, long[][] alias, long[][] person) {}

    static final int GROUPS = 4096;

    private final int capacity;
    private final Map<String, Entry> entries;
    private final Map<Long, Long> dayRows = new HashMap<>();
    private Links links;
    /** The store's deletions at the last observation ({@link #known}). */
    private long deletions = Long.MIN_VALUE;

    private long generation;
    /** Buckets computed by the last request: what BucketCacheTest checks is recomputed. */
    private volatile int lastComputed;

    BucketCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > BucketCache.this.capacity;
            }
        };
    }

    boolean enabled() {
        return capacity > 0;
    }

    int lastComputed() {
        return lastComputed;
    }

    /**
     * The aliases whose first link differs between what is known and {@code seen} (added, changed or gone), or null
     * when nothing is known yet (nothing kept can depend on links then). More than {@code max}: null too, after
     * everything is dropped.
     */
    synchronized long[] changedAliases(Links seen, int max) {
        if (links == null) return null;
        List<Long> changed = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            if (links.prints[g] == seen.prints[g]) continue;
            long[] a = links.alias[g], p = links.person[g], b = seen.alias[g], q = seen.person[g];
            int i = 0, j = 0;
            while (i < a.length || j < b.length) {
                if (j == b.length || (i < a.length && a[i] < b[j])) changed.add(a[i++]);
                else if (i == a.length || b[j] < a[i]) changed.add(b[j++]);
                else {
                    if (p[i] != q[j]) changed.add(a[i]);
                    i++;
                    j++;
                }
            }
            if (changed.size() > max) {
                dropAll();
                return null;
            }
        }
        return changed.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The rows per UTC day last observed from {@code firstDay} to {@code lastDay}, or null when one of them was never
     * observed or rows were deleted since ({@code deletions} differs): only then may a range's total row count stand
     * for its days'.
     */
    synchronized long[] known(long firstDay, long lastDay, long deletions) {
        if (deletions < 0 || deletions != this.deletions) return null;
        long[] rows = new long[(int) (lastDay - firstDay + 1)];
        for (int i = 0; i < rows.length; i++) {
            Long n = dayRows.get(firstDay + i);
            if (n == null) return null;
            rows[i] = n;
        }
        return rows;
    }

    /** The links as last observed, or null. */
    synchronized Links links() {
        return links;
    }

    /**
     * Applies a request's observation (and the UTC days on which linked ids whose first link changed have rows), then
     * returns the kept buckets of {@code key} and the generation to pass to {@link #keep}.
     */
    synchronized Kept observe(String key, Observation o, long[] linkedDays) {
        boolean changed = false;
        for (int i = 0; i < o.rows.length; i++) {
            Long before = dayRows.put(o.firstDay + i, o.rows[i]);
            if (before != null && before != o.rows[i]) changed |= drop(o.firstDay + i);
        }
        if (linkedDays != null) for (long d : linkedDays) changed |= drop(d);
        if (o.links != null) links = o.links;
        deletions = o.deletions;
        if (changed) generation++;
        Entry e = entries.get(key);
        return new Kept(e == null ? Map.of() : new HashMap<>(e.values), generation);
    }

    record Kept(Map<Long, Object> values, long generation) {}

    /** Keeps {@code values} (bucket → value, with their spans) unless something changed since {@code generation}. */
    synchronized void keep(
            String key, long generation, Map<Long, Object> values, Map<Long, long[]> spans, int computed) {
        lastComputed = computed;
        if (generation != this.generation || values.isEmpty()) return;
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.values.putAll(values);
        e.spans.putAll(spans);
    }

    private boolean drop(long day) {
        long from = day * 86_400, to = from + 86_400;
        boolean dropped = false;
        for (Entry e : entries.values()) {
            var it = e.spans.entrySet().iterator();
            while (it.hasNext()) {
                var s = it.next();
                if (s.getValue()[0] < to && s.getValue()[1] > from) {
                    e.values.remove(s.getKey());
                    it.remove();
                    dropped = true;
                }
            }
        }
        return dropped;
    }

    private void dropAll() {
        entries.clear();
        generation++;
    }
}
