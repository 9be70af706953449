package io.catchment.collector;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Events per second per source (the source a write key maps to): a token bucket holding one second's worth, which
 * may go into debt. A request is taken whole while its source's bucket is not in debt, however many events it holds,
 * so a batching SDK's large request is never refused for its size alone; the debt it leaves is paid back before the
 * next one is taken. A refused request costs nothing and is told how long to wait. Rate 0 means no limit. Thread-safe.
 */
public final class RateLimit {
    private final double perSecond;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimit(double perSecond) {
        this(perSecond, System::nanoTime);
    }

    RateLimit(double perSecond, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.nanos = nanos;
    }

    /** Takes {@code n} events for {@code source}; returns 0 when taken, else the whole seconds to wait first (≥ 1). */
    public long take(String source, int n) {
        if (perSecond <= 0) return 0;
        Bucket b = buckets.computeIfAbsent(source, s -> new Bucket(perSecond, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(perSecond, b.tokens + (now - b.at) / 1e9 * perSecond);
            b.at = now;
            if (b.tokens < 0) return Math.max(1, (long) Math.ceil(-b.tokens / perSecond));
            b.tokens -= n;
            return 0;
        }
    }

    public double perSecond() {
        return perSecond;
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
