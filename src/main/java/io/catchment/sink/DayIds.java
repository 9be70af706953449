package io.catchment.sink;

/**
 * The ids stored on one UTC day, as a set of 32-bit fingerprints of their 63-bit hashes: an open-addressing table
 * (linear probing) whose slot is chosen by the hash's upper 32 bits and which keeps its lower 32 bits. A lookup
 * therefore compares about 2×32 bits, so two different ids pass for each other about once in 10⁹ lookups; either way
 * a hit only means "maybe stored" and is checked against the store. Never a false "absent": every id added is found.
 *
 * <p>4 bytes a slot, built at 50% load (85% for a day large for the memory budget) and full at 90% ({@link #full}), when the owner
 * builds it again from the store, larger (a fingerprint cannot be moved to a bigger table without its full hash): 8 MB
 * per million ids when built, 4.4 MB when full. Not thread-safe.
 */
final class DayIds {
    private static final double FULL_LOAD = 0.9;

    private final int[] slots;
    private int size;
    private boolean overflowed;

    DayIds(int capacity) {
        slots = new int[Math.max(16, capacity)];
    }

    /**
     * Slots for {@code ids}: room to double while that takes at most a quarter of {@code budget} bytes, else room to
     * grow by a sixth (a large day then leaves room for its neighbours).
     */
    static long capacityFor(long ids, long budget) {
        long roomy = Math.max(1 << 12, 2 * ids);
        return 4 * roomy <= budget / 4 ? roomy : Math.max(1 << 12, (long) (ids / 0.85) + 1);
    }

    /** Whether {@code hash} may have been added: false means certainly not. */
    boolean mayContain(long hash) {
        int f = fingerprint(hash);
        for (int i = home(hash); ; i = next(i)) {
            int s = slots[i];
            if (s == f) return true;
            if (s == 0) return false;
        }
    }

    /** Adds {@code hash} unless it may be there already; a table too full to take it says so by {@link #full}. */
    void add(long hash) {
        int f = fingerprint(hash);
        for (int i = home(hash); ; i = next(i)) {
            int s = slots[i];
            if (s == f) return;
            if (s == 0) {
                if (size + 2 >= slots.length) { // one empty slot always stays, so that every probe ends
                    overflowed = true;
                    return;
                }
                slots[i] = f;
                size++;
                return;
            }
        }
    }

    /** Past 90% load (probes grow long) or once an id could not be added: build it again, larger. */
    boolean full() {
        return overflowed || size > slots.length * FULL_LOAD;
    }

    int size() {
        return size;
    }

    long bytes() {
        return 4L * slots.length + 32;
    }

    private int home(long hash) {
        return (int) (((hash >>> 31) & 0xFFFF_FFFFL) * slots.length >>> 32);
    }

    private int next(int i) {
        return i + 1 == slots.length ? 0 : i + 1;
    }

    private static int fingerprint(long hash) {
        int f = (int) hash;
        return f == 0 ? 1 : f; // 0 marks an empty slot
    }
}
