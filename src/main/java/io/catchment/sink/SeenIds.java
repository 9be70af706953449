package io.catchment.sink;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids a store holds, per UTC day, in memory, so that the duplicate check of a batch costs the same whatever the
 * store holds: each event's id hash is looked up in the sets of the days of its window, and only the events that may
 * be stored (a hit, or a day not held) are checked against the store, exactly, by their real id. A set is built from
 * the store ({@link Store}) when a batch first touches its day, and kept up to date by {@link #add}, which the store
 * calls for each batch it writes: after the commit where a failed batch leaves nothing (DuckDB), before the inserts
 * where it may leave part (ClickHouse), so that a set always holds at least every id of its day in the store.
 *
 * <p>Memory: {@link DayIds}, 4.4 to 8 MB per million ids of a day. Days are dropped least recently used first when the
 * budget is reached; a day whose set alone would not fit is not held, and every event of it is checked against the
 * store (the cost then grows with that day's rows again). Not thread-safe: the store calls it under its write lock.
 */
public final class SeenIds {
    private static final Logger LOG = LoggerFactory.getLogger(SeenIds.class);

    /** Where a day's set is built from: the ids the store holds for that UTC day (days since 1970-01-01). */
    public interface Store {
        /** About how many ids the day holds (sizes the set). */
        long count(int day) throws Exception;

        /** The {@link Dedup#hash} of every id stored on the day. */
        void hashes(int day, LongConsumer out) throws Exception;
    }

    /**
     * A batch looked up: each event's hash and day; {@code candidates}, the events that may be stored already (check
     * them against the store); {@code repeats}, events whose id came earlier in the same batch within the window on
     * another day (duplicates for certain, found by their real ids; only with a window over one day: the loader drops
     * repeats within a day itself).
     */
    public record Check(BatchIds ids, long[] hashes, int[] days, BitSet candidates, BitSet repeats) {
        public boolean none() {
            return candidates.isEmpty() && repeats.isEmpty();
        }
    }

    private final int window;
    private final long budget;
    private final ToLongFunction<String> hash;
    private final Map<Integer, DayIds> held = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU first
    private final Set<Integer> tooLarge = new HashSet<>();
    private long used;

    public SeenIds(Dedup dedup) {
        this.window = dedup.windowDays();
        this.budget = dedup.memoryBytes();
        this.hash = dedup.hash();
    }

    /** Looks the batch up, building the sets of the days it touches that are not held yet. */
    public Check check(BatchIds ids, Store store) throws Exception {
        int n = ids.size();
        long[] hashes = new long[n];
        int[] days = new int[n];
        Map<Integer, Integer> touched = new HashMap<>(); // day: the batch's events on it
        for (int i = 0; i < n; i++) {
            hashes[i] = hash.applyAsLong(ids.id(i));
            days[i] = ids.day(i);
            if (i == 0 || days[i] != days[i - 1]) {
                for (int d = days[i] - window + 1; d < days[i] + window; d++) touched.putIfAbsent(d, 0);
            }
            touched.merge(days[i], 1, Integer::sum);
        }
        for (var d : touched.entrySet()) {
            if (!held.containsKey(d.getKey())) build(d.getKey(), d.getValue(), touched.keySet(), store);
        }
        BitSet candidates = new BitSet(n);
        for (int i = 0; i < n; i++) {
            for (int d = days[i] - window + 1; d < days[i] + window; d++) {
                DayIds set = held.get(d);
                if (set == null || set.mayContain(hashes[i])) {
                    candidates.set(i);
                    break;
                }
            }
        }
        return new Check(ids, hashes, days, candidates, window > 1 ? repeats(ids, days) : new BitSet());
    }

    /** Adds a batch's ids to the sets of their days; a set that is full is dropped, to be built again larger. */
    public void add(Check c) {
        Set<Integer> grown = new HashSet<>();
        for (int i = 0; i < c.hashes().length; i++) {
            DayIds set = held.get(c.days()[i]);
            if (set == null) continue;
            set.add(c.hashes()[i]);
            if (set.full()) grown.add(c.days()[i]);
        }
        for (int d : grown) drop(d);
    }

    /** Forgets every set (the store was written by other means: they are built again from it when needed). */
    public void clear() {
        held.clear();
        tooLarge.clear();
        used = 0;
    }

    /**
     * Builds the sets of {@code last} and of the window's days before it, and of one more day: a store's newest days,
     * at start (around midnight UTC a loader writes events of both days; a late event is usually a day late at most).
     */
    public void preload(int last, Store store) throws Exception {
        Set<Integer> days = new HashSet<>();
        for (int d = last - window; d <= last; d++) days.add(d);
        for (int d = last; d >= last - window; d--) if (!held.containsKey(d)) build(d, 0, days, store);
    }

    /** Bytes the held sets take. */
    public long bytes() {
        return used;
    }

    /** Whether the set of {@code day} is held. */
    public boolean holds(int day) {
        return held.containsKey(day);
    }

    /** Builds the set of {@code day}, with room for {@code adding} more ids, dropping days not in {@code keep}. */
    private void build(int day, int adding, Set<Integer> keep, Store store) throws Exception {
        if (tooLarge.contains(day) || budget == 0) return;
        long t0 = System.nanoTime();
        long count = store.count(day) + adding;
        long capacity = DayIds.capacityFor(count, budget);
        long bytes = 4 * capacity;
        if (capacity > Integer.MAX_VALUE - 16 || bytes > budget) {
            tooLarge.add(day);
            LOG.warn(
                    "duplicate check: the ids of day {} ({} events) need {} MB, over dedup.memory ({} MB): that day is "
                            + "checked against the store, at a cost that grows with its rows",
                    java.time.LocalDate.ofEpochDay(day),
                    count,
                    bytes >> 20,
                    budget >> 20);
            return;
        }
        List<Integer> lru = new ArrayList<>(held.keySet());
        for (int i = 0; i < lru.size() && used + bytes > budget; i++) {
            if (!keep.contains(lru.get(i))) drop(lru.get(i));
        }
        if (used + bytes > budget) return; // the batch's own days fill the budget: this one goes to the store
        DayIds set = new DayIds((int) capacity);
        store.hashes(day, set::add);
        if (set.full()) return; // the day grew while it was read: checked against the store this time
        held.put(day, set);
        used += set.bytes();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (set.size() > 0) {
            LOG.info(
                    "duplicate check: built the id set of {} from the store: {} ids, {} MB, {} ms",
                    java.time.LocalDate.ofEpochDay(day),
                    set.size(),
                    set.bytes() >> 20,
                    ms);
        }
    }

    private void drop(int day) {
        DayIds set = held.remove(day);
        if (set != null) used -= set.bytes();
    }

    /** Events whose id came earlier in the batch on another day less than the window away (exact: by id). */
    private BitSet repeats(BatchIds ids, int[] days) {
        BitSet out = new BitSet();
        Map<String, List<Integer>> kept = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            List<Integer> earlier = kept.computeIfAbsent(ids.id(i), k -> new ArrayList<>(1));
            boolean repeat = false;
            for (int d : earlier) repeat |= d != days[i] && Math.abs(d - days[i]) < window;
            if (repeat) out.set(i);
            else earlier.add(days[i]);
        }
        return out;
    }
}
