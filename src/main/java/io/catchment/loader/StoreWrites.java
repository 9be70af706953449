package io.catchment.loader;

import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.WriteBatch;
import java.util.Map;

/**
 * The one retry rule for store writes, for the live loader and the import: a failure that may pass (the store away,
 * locked, out of memory) is tried again after a wait that doubles from 100 ms up to 30 s; a refusal for good ends the
 * attempt with the store's message and the event it names, for {@link TakeApart}. What happens before each retry (a
 * warning, the wait itself, giving up) is the caller's. Stateless.
 */
final class StoreWrites {
    private StoreWrites() {}

    /** The duplicates skipped per table when the batch was written, else the store's refusal for good. */
    record Outcome(Map<String, Long> duplicates, SinkException refusal) {
        boolean written() {
            return refusal == null;
        }
    }

    /** Called before each retry with the failure, the attempt that failed and the wait; it waits, or throws to stop. */
    @FunctionalInterface
    interface BeforeRetry<X extends Exception> {
        void retrying(SinkException failure, int attempt, long waitMillis) throws X, InterruptedException;
    }

    static <X extends Exception> Outcome write(Sink sink, WriteBatch batch, BeforeRetry<X> beforeRetry)
            throws X, InterruptedException {
        long wait = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                return new Outcome(sink.write(batch), null);
            } catch (SinkException e) {
                if (!e.transientFailure()) return new Outcome(null, e);
                beforeRetry.retrying(e, attempt, wait);
                wait = Math.min(wait * 2, 30_000);
            }
        }
    }
}
