package io.catchment.loader;

import io.catchment.CatchmentException;
import io.catchment.deadletter.DeadLetter;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a {@link Loader}: writes a prepared batch with the one retry rule ({@link StoreWrites}), then
 * commits the log up to the batch's next offset and counts it in the metrics; writes a batch the store refused for good
 * in pieces ({@link TakeApart}) and records the dead letters with the offset past them. Keeps the readings the loader
 * reports (position, last error, time since progress), safe to read from any thread. Used by one thread at a time: the
 * loader's write thread, or its prepare thread while it takes a refused batch apart (the writer is idle then).
 */
final class LoaderWriter {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    /** Past this many single-event failures in one batch the failure is taken for the store's, not the events'. */
    private static final int MAX_DEAD_PER_BATCH = 1000;

    private static final TakeApart TAKE_APART = new TakeApart("log offset");

    private final EventLog log;
    private final Sink sink;
    private final Metrics metrics;
    private final BatchPreparer preparer;
    private final String consumer;
    private final BooleanSupplier running;
    private final RepeatedWarning trouble;
    private Quarantine quarantine = new Quarantine(java.nio.file.Path.of("data", "quarantine"));

    private volatile long next;
    private volatile String lastError;
    /** The event id the store's last refusal named, if any ({@link SinkException#culpritId}). */
    private volatile String lastCulprit;
    /** When the loader last committed, or last found nothing to load ({@link System#nanoTime}). */
    private volatile long progressNanos = System.nanoTime();

    LoaderWriter(
            EventLog log,
            Sink sink,
            Metrics metrics,
            BatchPreparer preparer,
            String consumer,
            long next,
            BooleanSupplier running,
            RepeatedWarning trouble) {
        this.log = log;
        this.sink = sink;
        this.metrics = metrics;
        this.preparer = preparer;
        this.consumer = consumer;
        this.next = next;
        this.running = running;
        this.trouble = trouble;
    }

    void quarantineIn(java.nio.file.Path dir) {
        this.quarantine = new Quarantine(dir);
    }

    /** Next log offset to load; everything below it is in the store (or in dead letters). */
    long next() {
        return next;
    }

    String lastError() {
        return lastError;
    }

    void error(String message) {
        lastError = message;
    }

    Duration sinceProgress() {
        return Duration.ofNanos(System.nanoTime() - progressNanos);
    }

    /** The loader found nothing to load: it is not stalled. */
    void caughtUp() {
        progressNanos = System.nanoTime();
    }

    /** Writes with retries while the failure is transient; false when the store refuses the batch for good. */
    boolean write(BatchPreparer.Prepared p) {
        Map<String, Long> duplicates = writeWithRetry(p.batch(), p.events());
        if (duplicates == null) return false;
        committed(p, duplicates);
        return true;
    }

    /** Returns the duplicates per table, or null when the store refused the batch for good. */
    private Map<String, Long> writeWithRetry(WriteBatch batch, int events) {
        StoreWrites.Outcome o;
        try {
            o = StoreWrites.write(sink, batch, (e, attempt, wait) -> {
                lastError = e.getMessage();
                if (!running.getAsBoolean() && wait >= 1600)
                    throw new CatchmentException("stopping with a batch not written", e);
                trouble.warn("Store write failed, retrying the same {} events in {} ms", events, wait, e);
                Loader.sleep(wait);
            });
        } catch (InterruptedException e) { // the wait above keeps the interrupt for the loop; never thrown here
            Thread.currentThread().interrupt();
            throw new CatchmentException("interrupted with a batch not written", e);
        }
        if (o.written()) {
            lastError = null;
            trouble.clear();
            return o.duplicates();
        }
        lastError = o.refusal().getMessage();
        lastCulprit = o.refusal().culpritId();
        LOG.warn("The store refused a batch of {} events ({}); taking it apart", events, lastError);
        return null;
    }

    private void committed(BatchPreparer.Prepared p, Map<String, Long> duplicates) {
        WriteBatch b = p.batch();
        if (b.nextOffset() > next) {
            // progress is the offset moving: pieces of a refused batch written while the same events are refused
            // again and again (the store taken for broken) are not
            progressNanos = System.nanoTime();
            next = b.nextOffset();
            try {
                log.commit(next);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not record the committed offset {} in the log (the store has it)", next, e);
            }
        }
        metrics.loaded.increment(p.events() + p.repeated() - StoreRefusals.count(b));
        metrics.deadLettered.increment(b.deadLetters().size() + StoreRefusals.count(b));
        metrics.batchEvents.record(p.events());
        metrics.schemaChanges.increment(b.changes().size());
        metrics.duplicates("(batch)", p.repeated());
        for (TableBatch t : b.tables()) {
            long skipped = duplicates.getOrDefault(t.table(), 0L);
            metrics.rowsWritten(t.table(), t.rows() - skipped);
            metrics.duplicates(t.table(), skipped);
        }
        metrics.batchLatency.record(Duration.ofNanos(System.nanoTime() - p.startNanos()));
        LOG.debug("Loaded {} events up to offset {}", p.events(), b.nextOffset());
    }

    /**
     * Writes a refused batch in ever smaller pieces ({@link TakeApart}); the caller has re-read the catalog. Events
     * the store refuses one by one become dead letters; if the store will not record even those, they go to the
     * {@link Quarantine} file and loading goes on.
     *
     * @return whether the batch is done with; false when it is to be taken apart again (too many refused alone, or
     *     stopping)
     */
    boolean takeApart(BatchPreparer.Prepared failed, Runnable rereadCatalog) throws IOException, InterruptedException {
        List<DeadLetter> dead;
        try {
            dead = TAKE_APART.run(
                    failed.lines(), piece -> writePiece(piece, rereadCatalog), MAX_DEAD_PER_BATCH, running);
        } catch (TakeApart.TooManyRefused e) {
            lastError = e.getMessage();
            LOG.error("{}; retrying in 30 s", e.getMessage());
            Loader.sleep(30_000);
            return false; // still refused: taken apart again from the start; what was written is deduplicated
        }
        if (!running.getAsBoolean()) return false;
        recordDeadLetters(dead, failed.batch().nextOffset());
        LOG.warn("Batch up to offset {} written with {} events set aside as dead letters", next, dead.size());
        return true;
    }

    /** One piece of a refused batch, prepared and written; null when written (the offset moves only at the end). */
    private TakeApart.Refusal writePiece(List<Line> piece, Runnable rereadCatalog) throws IOException {
        BatchPreparer.Prepared part = preparer.prepare(piece, consumer, next);
        Map<String, Long> duplicates = writeWithRetry(part.batch(), part.events());
        if (duplicates != null) {
            committed(part, duplicates);
            return null;
        }
        part.batch().discard();
        rereadCatalog.run();
        return new TakeApart.Refusal(
                lastError,
                String.join(
                        ",",
                        part.batch().tables().stream().map(TableBatch::table).toList()),
                lastCulprit);
    }

    /** Commits the dead letters with the offset past them; to the quarantine file if the store refuses them. */
    private void recordDeadLetters(List<DeadLetter> dead, long nextOffset) throws IOException {
        WriteBatch close = WriteBatch.offsetOnly(dead, consumer, nextOffset);
        if (writeWithRetry(close, 0) == null) {
            quarantine.add(dead, lastError);
            close = WriteBatch.offsetOnly(List.of(), consumer, nextOffset);
            if (writeWithRetry(close, 0) == null)
                throw new IOException("the store refused to record the offset: " + lastError);
            metrics.deadLettered.increment(dead.size());
        }
        committed(new BatchPreparer.Prepared(close, List.of(), 0, 0, System.nanoTime()), Map.of());
    }
}
