package io.catchment.sink;

import io.catchment.schema.PersonKey;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/**
 * How a store checks a batch for events it holds already: on or off, the window (an event is a duplicate of a stored
 * one with the same id whose UTC day is less than {@code windowDays} days away: 1 is the same UTC day), and the
 * memory the per-day id sets ({@link SeenIds}) may take. {@code hash} and {@code hashSql} compute the same 63-bit
 * hash of an id from Java and from each store's SQL ({@code hashSql.apply(expr, clickhouse)}); tests put a degenerate
 * one in to show that a collision does not make an event a duplicate.
 */
public record Dedup(
        boolean enabled,
        int windowDays,
        long memoryBytes,
        ToLongFunction<String> hash,
        BiFunction<String, Boolean, String> hashSql) {

    /** The default memory for the id sets: a third of the heap (they take 4.4 to 8 MB per million ids of a day). */
    public static long defaultMemory() {
        return Runtime.getRuntime().maxMemory() / 3;
    }

    /** On (the UTC day) or off, with the default memory and the MD5-based hash of {@link PersonKey}. */
    public static Dedup of(boolean enabled) {
        return of(enabled, 1, defaultMemory());
    }

    public static Dedup of(boolean enabled, int windowDays, long memoryBytes) {
        return new Dedup(enabled, windowDays, memoryBytes, PersonKey::of, PersonKey::sql);
    }
}
