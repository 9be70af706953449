package io.catchment.bench;

/** A seeded source of native-format events for the benchmarks. Not thread-safe: one per thread. */
public interface Batches {
    /** Appends one event as a JSON object. */
    void next(StringBuilder b);

    /** Bytes an event takes, roughly: the batch buffer's first size. */
    int typicalBytes();

    /** {@code n} events, one JSON object per line. */
    default String batch(int n) {
        StringBuilder b = new StringBuilder(n * typicalBytes());
        for (int i = 0; i < n; i++) {
            next(b);
            b.append('\n');
        }
        return b.toString();
    }
}
