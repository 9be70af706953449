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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves events from the log into the store, in two stages on two threads so parsing overlaps writing:
 * <ol>
 *   <li><b>prepare</b> ({@code loader}): reads a micro-batch (up to {@code batchEvents} events, or whatever arrived
 *       within {@code batchWait}) and turns it into a {@link WriteBatch} ({@link BatchPreparer});
 *   <li><b>write</b> ({@code loader-write}): hands it to {@link Sink#write}, which commits schema changes, rows, dead
 *       letters and the next offset in one transaction, then commits the log.
 * </ol>
 * A write that fails transiently is retried with the same batch, backing off from 100 ms to 30 s, and never skipped:
 * the log holds the backlog. A write the store refuses for good is taken apart: the batches behind it are dropped
 * (to be read again), the catalog is re-read, and the failed events are written in halves, then quarters, down to
 * single events; an event the store still refuses alone becomes a dead letter with the store's reason, and the rest
 * of its batch is written. Duplicate suppression makes the partial writes safe to repeat after a crash.
 */
public final class Loader implements Loading {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    public static final String CONSUMER = "loader";
    /** Past this many single-event failures in one batch the failure is taken for the store's, not the events'. */
    private static final int MAX_DEAD_PER_BATCH = 1000;

    private static final TakeApart TAKE_APART = new TakeApart("log offset");

    private final EventLog log;
    private final String consumer;
    private final Sink sink;
    private final Metrics metrics;
    private final int batchEvents;
    private final Duration batchWait;
    private final BatchPreparer preparer;
    private final BlockingQueue<BatchPreparer.Prepared> handoff = new ArrayBlockingQueue<>(1);
    private final Thread prepareThread = new Thread(this::prepareLoop, "loader");
    private final Thread writeThread = new Thread(this::writeLoop, "loader-write");
    /** Batches handed to the writer and not yet done with. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** A batch the store refused for good, waiting to be taken apart by the prepare thread. */
    private final AtomicReference<BatchPreparer.Prepared> refused = new AtomicReference<>();

    private volatile boolean running = true;
    private volatile boolean preparing = true;
    private volatile long next;
    private volatile String lastError;
    /** The event id the store's last refusal named, if any ({@link SinkException#culpritId}). */
    private volatile String lastCulprit;

    private long readFrom;
    /** When the loader last committed, or last found nothing to load ({@link System#nanoTime}). */
    private volatile long progressNanos = System.nanoTime();

    private final RepeatedWarning trouble = new RepeatedWarning(LOG, Duration.ofMinutes(1));
    private Quarantine quarantine = new Quarantine(java.nio.file.Path.of("data", "quarantine"));

    public Loader(
            EventLog log,
            Sink sink,
            Metrics metrics,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns) {
        this(log, sink, metrics, batchEvents, batchWait, maxFields, maxColumns, new io.catchment.schema.Router());
    }

    public Loader(
            EventLog log,
            Sink sink,
            Metrics metrics,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns,
            io.catchment.schema.Router router) {
        this(log, sink, metrics, batchEvents, batchWait, maxFields, maxColumns, router, CONSUMER);
    }

    /** @param consumer the name the store keeps this log's position under ({@link #CONSUMER} for the server's log) */
    public Loader(
            EventLog log,
            Sink sink,
            Metrics metrics,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns,
            io.catchment.schema.Router router,
            String consumer) {
        this.consumer = consumer;
        this.log = log;
        this.sink = sink;
        this.metrics = metrics;
        this.batchEvents = batchEvents;
        this.batchWait = batchWait;
        this.preparer = new BatchPreparer(sink, maxFields, maxColumns, router);
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
        this.next = stored >= 0 ? stored : log.startOffset();
        this.readFrom = next;
    }

    /** Where dead letters go when the store will not record them (default {@code data/quarantine}); before start. */
    public Loader quarantineIn(java.nio.file.Path dir) {
        this.quarantine = new Quarantine(dir);
        return this;
    }

    @Override
    public void start() {
        LOG.info("Loader starting at log offset {} (log end {})", next, log.endOffset());
        prepareThread.start();
        writeThread.start();
    }

    /** Next log offset to load; everything below it is in the store (or in dead letters). */
    @Override
    public long lag() {
        return Math.max(0, log.endOffset() - position());
    }

    @Override
    public long position() {
        return next;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    /**
     * The time since the loader last committed a batch or found nothing to load. It grows only while events wait and
     * none is committed (a store that fails or refuses every write): what {@code loader.stall_after} is compared with.
     */
    @Override
    public Duration sinceProgress() {
        return Duration.ofNanos(System.nanoTime() - progressNanos);
    }

    private void prepareLoop() {
        long backoff = 100;
        try {
            while (running) {
                try {
                    BatchPreparer.Prepared failed = refused.get();
                    if (failed != null) {
                        takeApart(failed);
                        continue;
                    }
                    long start = System.nanoTime();
                    List<Line> lines = fill();
                    if (lines.isEmpty()) continue;
                    long read = System.nanoTime();
                    long nextOffset = lines.get(lines.size() - 1).offset() + 1;
                    BatchPreparer.Prepared p = preparer.prepare(lines, consumer, nextOffset);
                    LOG.debug(
                            "Prepared {} events: read {} ms, prepare {} ms",
                            p.events(),
                            (read - start) / 1_000_000,
                            (System.nanoTime() - read) / 1_000_000);
                    readFrom = nextOffset;
                    inFlight.incrementAndGet();
                    handoff.put(p); // waits while the writer is busy with the previous batch
                    backoff = 100;
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    lastError = e.getMessage();
                    trouble.warn(
                            "Loader failed preparing the batch at offset {}, retrying in {} ms", readFrom, backoff, e);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 30_000);
                    rereadCatalog();
                }
            }
        } finally {
            preparing = false;
        }
    }

    private void writeLoop() {
        while (preparing || !handoff.isEmpty()) {
            BatchPreparer.Prepared p;
            try {
                p = handoff.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (p == null) continue;
            try {
                if (refused.get() != null) {
                    p.batch().discard(); // behind a refused batch: read again once it is taken apart
                } else if (!write(p)) {
                    p.batch().discard();
                    refused.set(p);
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Writes with retries while the failure is transient; false when the store refuses the batch for good. */
    private boolean write(BatchPreparer.Prepared p) {
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
                if (!running && wait >= 1600) throw new CatchmentException("stopping with a batch not written", e);
                trouble.warn("Store write failed, retrying the same {} events in {} ms", events, wait, e);
                sleep(wait);
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
            // progress is the offset moving: pieces of a refused batch written while the same events are refused again
            // and
            // again (the store taken for broken) are not
            progressNanos = System.nanoTime();
            next = b.nextOffset();
            try {
                log.commit(next);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not record the committed offset {} in the log (the store has it)", next, e);
            }
        }
        metrics.loaded.increment(p.events() + p.repeated());
        metrics.deadLettered.increment(b.deadLetters().size());
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
     * Writes a refused batch in ever smaller pieces ({@link TakeApart}), on the prepare thread (which owns the catalog)
     * once the writer has let go of everything behind it. Events the store refuses one by one become dead letters; if
     * the store will not record even those, they go to the {@link Quarantine} file and loading goes on.
     */
    private void takeApart(BatchPreparer.Prepared failed) throws InterruptedException, IOException {
        while (inFlight.get() > 0) Thread.sleep(10);
        rereadCatalog();
        List<DeadLetter> dead;
        try {
            dead = TAKE_APART.run(failed.lines(), this::writePiece, MAX_DEAD_PER_BATCH, () -> running);
        } catch (TakeApart.TooManyRefused e) {
            lastError = e.getMessage();
            LOG.error("{}; retrying in 30 s", e.getMessage());
            sleep(30_000);
            return; // still refused: taken apart again from the start; what was written is deduplicated
        }
        if (!running) return;
        recordDeadLetters(dead, failed.batch().nextOffset());
        LOG.warn("Batch up to offset {} written with {} events set aside as dead letters", next, dead.size());
        readFrom = next;
        refused.set(null);
    }

    /** One piece of a refused batch, prepared and written; null when written (the offset moves only at the end). */
    private TakeApart.Refusal writePiece(List<Line> piece) throws IOException {
        BatchPreparer.Prepared part = preparer.prepare(piece, consumer, next);
        Map<String, Long> duplicates = writeWithRetry(part.batch(), part.events());
        if (duplicates != null) {
            committed(part, duplicates);
            return null;
        }
        part.batch().discard();
        rereadCatalog();
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

    private void rereadCatalog() {
        try {
            while (running && inFlight.get() > 0) Thread.sleep(10);
            sink.reloadCatalog();
        } catch (io.catchment.sink.SinkException e) {
            LOG.warn("Could not re-read the catalog", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the next batch's events from the log: whole records until {@code batchEvents} is reached (the last record may
     * pass it by its own size), or what arrives within the batch wait.
     */
    private List<Line> fill() throws IOException, InterruptedException {
        List<Line> out = new ArrayList<>(batchEvents + batchEvents / 8);
        long deadline = System.nanoTime() + batchWait.toNanos();
        long from = readFrom;
        while (running && out.size() < batchEvents) {
            long left = deadline - System.nanoTime();
            List<EventLog.LogRecord> got = log.read(from, 1024, Duration.ofNanos(Math.max(left, 0)));
            if (got.isEmpty()) {
                if (out.isEmpty() && from == next) progressNanos = System.nanoTime(); // caught up: nothing waits
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

    /** Waits {@code ms}; an interrupt ends the wait and stays set for the loop that checks it. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            prepareThread.join(60_000);
            writeThread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
