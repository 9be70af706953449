package io.catchment.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.PersonKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * The per-day id sets on their own, over a store of hashes per day kept in a map (the stores themselves are in the
 * sink contract): never "absent" for an id stored, hits only as candidates, the window, the memory budget.
 */
class SeenIdsTest {
    private static final int MAY_1 = (int) LocalDate.parse("2024-05-01").toEpochDay();

    /** Hashes per day, and how often each day was read. */
    private static final class Days implements SeenIds.Store {
        final Map<Integer, List<Long>> stored = new HashMap<>();
        final Map<Integer, Integer> reads = new HashMap<>();

        @Override
        public long count(int day) {
            return stored.getOrDefault(day, List.of()).size();
        }

        @Override
        public void hashes(int day, LongConsumer out) {
            reads.merge(day, 1, Integer::sum);
            stored.getOrDefault(day, List.of()).forEach(out::accept);
        }

        void store(SeenIds.Check c) {
            for (int i = 0; i < c.hashes().length; i++) {
                stored.computeIfAbsent(c.days()[i], d -> new ArrayList<>()).add(c.hashes()[i]);
            }
        }
    }

    private static BatchIds batch(String... idAndDay) {
        BatchIds b = new BatchIds();
        ColumnType[] types = {ColumnType.VARCHAR, ColumnType.TIMESTAMP, ColumnType.VARCHAR};
        for (int i = 0; i < idAndDay.length; i += 2) {
            String t = idAndDay[i + 1] + "T12:00:00Z";
            b.row(new Object[] {idAndDay[i], new Field.TimeValue(t, null), "t"}, types, 3);
        }
        return b;
    }

    /** Checks, "commits" (to the map and to the sets) and returns the check. */
    private static SeenIds.Check write(SeenIds seen, Days store, BatchIds b) throws Exception {
        SeenIds.Check c = seen.check(b, store);
        store.store(c);
        seen.add(c);
        return c;
    }

    @Test
    void every_id_stored_is_a_candidate_and_new_ids_almost_never_are() throws Exception {
        SeenIds seen = new SeenIds(Dedup.of(true, 1, 64L << 20));
        Days store = new Days();
        List<String> firstHalf = new ArrayList<>();
        for (int batch = 0; batch < 10; batch++) {
            String[] ids = new String[2 * 20_000];
            for (int i = 0; i < 20_000; i++) {
                ids[2 * i] = "id-" + batch + "-" + i;
                ids[2 * i + 1] = "2024-05-01";
                if (batch < 5) firstHalf.add(ids[2 * i]);
            }
            SeenIds.Check c = write(seen, store, batch(ids));
            assertThat(c.candidates().cardinality()).as("batch %d", batch).isZero();
        }
        // the same ids again, after a restart (built from the store) and without one (grown in memory)
        for (SeenIds s : List.of(seen, new SeenIds(Dedup.of(true, 1, 64L << 20)))) {
            String[] again = new String[2 * firstHalf.size()];
            for (int i = 0; i < firstHalf.size(); i++) {
                again[2 * i] = firstHalf.get(i);
                again[2 * i + 1] = "2024-05-01";
            }
            assertThat(s.check(batch(again), store).candidates().cardinality()).isEqualTo(firstHalf.size());
            // the next day is another day
            for (int i = 0; i < firstHalf.size(); i++) again[2 * i + 1] = "2024-05-02";
            assertThat(s.check(batch(again), store).candidates().cardinality()).isZero();
        }
    }

    @Test
    void with_a_degenerate_hash_every_event_is_only_a_candidate() throws Exception {
        SeenIds seen = new SeenIds(new Dedup(true, 1, 64L << 20, id -> 42L, PersonKey::sql));
        Days store = new Days();
        write(seen, store, batch("a", "2024-05-01"));
        SeenIds.Check c = seen.check(batch("b", "2024-05-01", "c", "2024-05-02"), store);
        assertThat(c.candidates().get(0))
                .as("b collides with a: a candidate, for the store to decide")
                .isTrue();
        assertThat(c.candidates().get(1)).as("nothing stored on May 2").isFalse();
        assertThat(c.repeats().isEmpty()).isTrue();
    }

    @Test
    void a_window_of_three_days_looks_two_days_either_way_and_finds_repeats_in_the_batch() throws Exception {
        SeenIds seen = new SeenIds(Dedup.of(true, 3, 64L << 20));
        Days store = new Days();
        write(seen, store, batch("x", "2024-05-03"));
        SeenIds.Check c = seen.check(
                batch("x", "2024-05-01", "x", "2024-05-05", "x", "2024-05-06", "y", "2024-05-01", "y", "2024-05-02"),
                store);
        assertThat(c.candidates().get(0)).isTrue();
        assertThat(c.candidates().get(1)).isTrue();
        assertThat(c.candidates().get(2)).isFalse();
        assertThat(c.repeats().stream().toArray())
                .as("x on May 6 comes after x on May 5 (May 1 is 4 days before), y on May 2 after y on May 1")
                .containsExactly(2, 4);
    }

    @Test
    void a_day_over_the_budget_is_not_held_and_all_its_events_are_candidates() throws Exception {
        Days store = new Days();
        for (long h = 1; h <= 100_000; h++)
            store.stored.computeIfAbsent(MAY_1, d -> new ArrayList<>()).add(h << 32);
        SeenIds seen = new SeenIds(Dedup.of(true, 1, 256 << 10));
        SeenIds.Check c = seen.check(batch("new", "2024-05-01", "other", "2024-05-02"), store);
        assertThat(seen.holds(MAY_1)).isFalse();
        assertThat(c.candidates().get(0)).isTrue();
        assertThat(c.candidates().get(1)).isFalse();
        assertThat(seen.bytes()).isLessThanOrEqualTo(256 << 10);
    }

    @Test
    void the_least_recently_used_day_makes_room_and_a_full_day_is_built_again_larger() throws Exception {
        SeenIds seen = new SeenIds(Dedup.of(true, 1, 40 << 10)); // two sets of 4096 slots (16 KB each)
        Days store = new Days();
        write(seen, store, batch("a", "2024-05-01"));
        write(seen, store, batch("b", "2024-05-02"));
        write(seen, store, batch("c", "2024-05-03"));
        assertThat(seen.holds(MAY_1)).isFalse();
        assertThat(seen.holds(MAY_1 + 2)).isTrue();
        assertThat(seen.check(batch("a", "2024-05-01"), store).candidates().get(0))
                .as("built again from the store")
                .isTrue();
        SeenIds big = new SeenIds(Dedup.of(true, 1, 64L << 20));
        String[] many = new String[2 * 10_000];
        for (int i = 0; i < 10_000; i++) {
            many[2 * i] = "m" + i;
            many[2 * i + 1] = "2024-05-01";
        }
        write(big, store, batch("first", "2024-05-01"));
        int reads = store.reads.getOrDefault(MAY_1, 0);
        write(big, store, batch(many)); // over the first set's room: dropped after the batch, built again later
        assertThat(big.check(batch("m9999", "2024-05-01"), store).candidates().get(0))
                .isTrue();
        assertThat(store.reads.get(MAY_1)).isGreaterThan(reads);
    }
}
