package io.catchment.loader;

import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
 * of its batch is written. Duplicate suppression makes the partial writes safe to repeat after a crash. This class
 * is the batch loop (reading, preparing, handing over, the two threads' lifecycle); the write side (retries, the log
 * commit, metrics, taking a refused batch apart) is {@link LoaderWriter}. Loaders of one process on one store (Kafka's,
 * one per partition) share a {@link StoreTurn}, so that together they prepare, write and take apart as one loader.
 */
public final class Loader implements Loading {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    public static final String CONSUMER = "loader";

    private final EventLog log;
    private final String consumer;
    private final Sink sink;
    private final LogBatches batches;
    private final BatchPreparer preparer;
    private final LoaderWriter writer;
    private final BlockingQueue<Ticketed> handoff = new ArrayBlockingQueue<>(1);
    private StoreTurn turn = new StoreTurn();
    private final Thread prepareThread = new Thread(this::prepareLoop, "loader");
    private final Thread writeThread = new Thread(this::writeLoop, "loader-write");
    /** Batches handed to the writer and not yet done with. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** A batch the store refused for good, waiting to be taken apart by the prepare thread. */
    private final AtomicReference<BatchPreparer.Prepared> refused = new AtomicReference<>();

    /** Batches of this loader were dropped behind a refused one (maybe another loader's): read on from the store's. */
    private volatile boolean rewind;

    private volatile boolean running = true;
    private volatile boolean preparing = true;

    private record Ticketed(BatchPreparer.Prepared prepared, long ticket) {}

    private long readFrom;

    private final RepeatedWarning trouble = new RepeatedWarning(LOG, Duration.ofMinutes(1));

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
        this.preparer = new BatchPreparer(sink, maxFields, maxColumns, router);
        this.batches = new LogBatches(log, batchEvents, batchWait);
        this.readFrom = LogBatches.startOffset(sink, log, consumer);
        this.writer = new LoaderWriter(log, sink, metrics, preparer, consumer, readFrom, () -> running, trouble);
    }

    /** Where dead letters go when the store will not record them (default {@code data/quarantine}); before start. */
    public Loader quarantineIn(java.nio.file.Path dir) {
        writer.quarantineIn(dir);
        return this;
    }

    /** Shares the store's catalog with the other loaders of this process on the same store (before start). */
    Loader sharing(StoreTurn shared) {
        this.turn = shared;
        return this;
    }

    @Override
    public void start() {
        LOG.info("Loader starting at log offset {} (log end {})", writer.next(), log.endOffset());
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
        return writer.next();
    }

    @Override
    public String lastError() {
        return writer.lastError();
    }

    /**
     * The time since the loader last committed a batch or found nothing to load. It grows only while events wait and
     * none is committed (a store that fails or refuses every write): what {@code loader.stall_after} is compared with.
     */
    @Override
    public Duration sinceProgress() {
        return writer.sinceProgress();
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
                    if (rewind) {
                        while (inFlight.get() > 0) Thread.sleep(10);
                        rewind = false;
                        readFrom = writer.next();
                    }
                    long start = System.nanoTime();
                    List<Line> lines = batches.fill(readFrom, writer::next, writer::caughtUp, () -> running);
                    if (lines.isEmpty()) continue;
                    long read = System.nanoTime();
                    long nextOffset = lines.get(lines.size() - 1).offset() + 1;
                    Ticketed t = prepare(lines, nextOffset);
                    if (t == null) continue; // not now: read again from readFrom
                    LOG.debug(
                            "Prepared {} events: read {} ms, prepare {} ms",
                            t.prepared().events(),
                            (read - start) / 1_000_000,
                            (System.nanoTime() - read) / 1_000_000);
                    readFrom = nextOffset;
                    handoff.put(t); // waits while the writer is busy with the previous batch
                    backoff = 100;
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    writer.error(e.getMessage());
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

    /**
     * Prepares a batch holding the catalog and gives it its ticket; null when it must not be prepared now (stopping,
     * a refused batch waiting to be taken apart, or this loader's batches dropped behind one).
     */
    private Ticketed prepare(List<Line> lines, long nextOffset) throws IOException, InterruptedException {
        if (!turn.lockCatalog(() -> running)) return null;
        try {
            if (turn.refusalPending() || rewind) {
                Thread.sleep(10);
                return null;
            }
            BatchPreparer.Prepared p = preparer.prepare(lines, consumer, nextOffset);
            inFlight.incrementAndGet();
            return new Ticketed(p, turn.issue());
        } finally {
            turn.unlockCatalog();
        }
    }

    private void writeLoop() {
        while (preparing || !handoff.isEmpty()) {
            Ticketed t;
            try {
                t = handoff.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (t == null) continue;
            BatchPreparer.Prepared p = t.prepared();
            boolean refusedNow = false;
            try {
                turn.awaitTurn(t.ticket());
                if (turn.dropped(t.ticket())) {
                    rewind = true; // behind a refused batch: read again once it is taken apart
                    p.batch().discard();
                } else if (!writer.write(p)) {
                    p.batch().discard();
                    refused.set(p);
                    refusedNow = true;
                }
            } catch (InterruptedException e) {
                p.batch().discard();
                rewind = true;
                Thread.currentThread().interrupt();
            } finally {
                turn.finish(t.ticket(), refusedNow);
                inFlight.decrementAndGet();
            }
            if (Thread.currentThread().isInterrupted()) return;
        }
    }

    /**
     * Takes a refused batch apart ({@link LoaderWriter#takeApart}), on the prepare thread, holding the catalog once
     * every batch behind it (this loader's and the others') is dropped; then reads on after it.
     */
    private void takeApart(BatchPreparer.Prepared failed) throws InterruptedException, IOException {
        if (!turn.lockCatalog(() -> running)) return;
        try {
            turn.awaitIdle();
            reloadCatalog();
            if (!writer.takeApart(failed, this::reloadCatalog)) return;
            while (inFlight.get() > 0) Thread.sleep(10);
            rewind = false;
            readFrom = writer.next();
            refused.set(null);
            turn.clearRefusal();
        } finally {
            turn.unlockCatalog();
        }
    }

    /** Re-reads the catalog holding it, once nothing is in flight for the store. */
    private void rereadCatalog() {
        try {
            if (!turn.lockCatalog(() -> running)) return;
            try {
                turn.awaitIdle();
                reloadCatalog();
            } finally {
                turn.unlockCatalog();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reloadCatalog() {
        try {
            sink.reloadCatalog();
        } catch (io.catchment.sink.SinkException e) {
            LOG.warn("Could not re-read the catalog", e);
        }
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
            if (refused.get() != null) { // stopped before taking it apart: its events are read again by the next owner
                turn.lockCatalog(() -> true);
                try {
                    turn.awaitIdle();
                    turn.clearRefusal();
                } finally {
                    turn.unlockCatalog();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
