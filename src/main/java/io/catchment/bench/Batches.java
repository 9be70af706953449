package io.catchment.bench;

/** A seeded source of native-format events for the benchmarks. Not thread-safe: one per thread. */
@FunctionalInterface
public interface Batches {
  /** {@code n} events, one JSON object per line. */
  String batch(int n);
}
