package io.catchment.query;

import io.catchment.collector.HttpProblem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * At most {@code max} queries run at once, server-wide; the others wait, first come first served, for up to {@code
 * wait}. One that gets no slot in time is answered {@code 503 query_busy} with {@code Retry-After} (in seconds,
 * at least 1): the server is busy, not the client at fault, so 503 rather than 429. A slot is released however the
 * query ends (result, refusal, timeout, exception). A waiting request that is interrupted gets the same 503.
 * Thread-safe.
 */
final class QuerySlots {
    private final Semaphore slots;
    private final int max;
    private final Duration wait;

    QuerySlots(int max, Duration wait) {
        if (max < 1) throw new IllegalArgumentException("query.max_concurrent must be at least 1 (got " + max + ")");
        this.slots = new Semaphore(max, true);
        this.max = max;
        this.wait = wait;
    }

    /** Runs {@code query} in a slot, or throws the 503 when none frees up within the wait. */
    <T> T run(Supplier<T> query) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) throw busy();
        try {
            return query.get();
        } finally {
            slots.release();
        }
    }

    /** Queries running now. */
    int running() {
        return max - slots.availablePermits();
    }

    /** Queries waiting for a slot now (an estimate while threads come and go; exact when they stand still). */
    int waiting() {
        return slots.getQueueLength();
    }

    private HttpProblem busy() {
        long retry = Math.max(1, wait.toSeconds());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "error",
                max + " queries are already running (query.max_concurrent) and none finished within " + wait.toMillis()
                        + " ms (query.queue_wait); retry later");
        body.put("retry_after", retry);
        return new HttpProblem(503, "query_busy", body);
    }
}
