package io.catchment.loader;

import io.catchment.CatchmentException;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.sink.Sink;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
 * commit, metrics, taking a refused batch apart) is {@link LoaderWriter}.
 */
public final class Loader implements Loading {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
    public static final String CONSUMER = "loader";

    private final EventLog log;
    private final String consumer;
    private final Sink sink;
    private final int batchEvents;
    private final Duration batchWait;
    private final BatchPreparer preparer;
    private final LoaderWriter writer;
    private final BlockingQueue<BatchPreparer.Prepared> handoff = new ArrayBlockingQueue<>(1);
    private final Thread prepareThread = new Thread(this::prepareLoop, "loader");
    private final Thread writeThread = new Thread(this::writeLoop, "loader-write");
    /** Batches handed to the writer and not yet done with. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** A batch the store refused for good, waiting to be taken apart by the prepare thread. */
    private final AtomicReference<BatchPreparer.Prepared> refused = new AtomicReference<>();

    private volatile boolean running = true;
    private volatile boolean preparing = true;

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
        this.readFrom = stored >= 0 ? stored : log.startOffset();
        this.writer = new LoaderWriter(log, sink, metrics, preparer, consumer, readFrom, () -> running, trouble);
    }

    /** Where dead letters go when the store will not record them (default {@code data/quarantine}); before start. */
    public Loader quarantineIn(java.nio.file.Path dir) {
        writer.quarantineIn(dir);
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
                } else if (!writer.write(p)) {
                    p.batch().discard();
                    refused.set(p);
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /**
     * Takes a refused batch apart ({@link LoaderWriter#takeApart}), on the prepare thread (which owns the catalog)
     * once the writer has let go of everything behind it; then reads on after it.
     */
    private void takeApart(BatchPreparer.Prepared failed) throws InterruptedException, IOException {
        while (inFlight.get() > 0) Thread.sleep(10);
        rereadCatalog();
        if (!writer.takeApart(failed, this::rereadCatalog)) return;
        readFrom = writer.next();
        refused.set(null);
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
                if (out.isEmpty() && from == writer.next()) writer.caughtUp(); // caught up: nothing waits
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
