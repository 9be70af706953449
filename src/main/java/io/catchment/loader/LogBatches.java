package io.catchment.loader;

import io.catchment.CatchmentException;
import io.catchment.log.EventLog;
import io.catchment.sink.Sink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** What a {@link Loader} reads from its log: where to start, and each batch's events. */
final class LogBatches {
    private final EventLog log;
    private final int batchEvents;
    private final Duration batchWait;

    LogBatches(EventLog log, int batchEvents, Duration batchWait) {
        this.log = log;
        this.batchEvents = batchEvents;
        this.batchWait = batchWait;
    }

    /** The offset the store has loaded {@code log} up to for {@code consumer}; refuses a log that lost records. */
    static long startOffset(Sink sink, EventLog log, String consumer) {
        if (!log.offsetsAreShared()) return log.startOffset();
        long stored = sink.loadedOffset(consumer);
        if (stored > log.endOffset()) {
            throw new CatchmentException("the store has loaded the log up to offset " + stored + " but the log ends at "
                    + log.endOffset()
                    + ": the log directory was replaced or lost. Refusing to start rather than skip events; "
                    + "restore the log, or start with an empty data directory");
        }
        if (stored >= 0 && stored < log.startOffset()) {
            throw new CatchmentException(
                    "the store has loaded the log up to offset " + stored + " but the log starts at "
                            + log.startOffset() + ": records in between were deleted before being loaded");
        }
        return stored >= 0 ? stored : log.startOffset();
    }

    /**
     * Reads the next batch's events from {@code from}: whole records until {@code batchEvents} is reached (the last
     * record may pass it by its own size), or what arrives within the batch wait. Calls {@code caughtUp} when nothing
     * waits and everything read is written ({@code written} is the writer's next offset).
     */
    List<Line> fill(long from, LongSupplier written, Runnable caughtUp, BooleanSupplier running)
            throws IOException, InterruptedException {
        List<Line> out = new ArrayList<>(batchEvents + batchEvents / 8);
        long deadline = System.nanoTime() + batchWait.toNanos();
        while (running.getAsBoolean() && out.size() < batchEvents) {
            long left = deadline - System.nanoTime();
            List<EventLog.LogRecord> got = log.read(from, 1024, Duration.ofNanos(Math.max(left, 0)));
            if (got.isEmpty()) {
                if (out.isEmpty() && from == written.getAsLong()) caughtUp.run(); // caught up: nothing waits
                if (left <= 0 || !out.isEmpty()) break;
                continue;
            }
            for (EventLog.LogRecord r : got) {
                if (out.size() >= batchEvents) break;
                BatchPreparer.addLines(r, out);
                from = r.offset() + 1;
            }
        }
        return out;
    }
}
