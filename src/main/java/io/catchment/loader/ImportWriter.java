package io.catchment.loader;

import io.catchment.deadletter.DeadLetter;
import io.catchment.schema.Router;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.Sink;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's path for {@code catchment import}: canonical events in, the same preparation (routing, schema rules,
 * dedup) and store transaction as live events out. Like the live {@link Loader}, two threads: {@code import-prepare}
 * routes and stages a batch while {@code import-writer} writes the previous one, so reading, preparing and writing
 * overlap. Each batch carries its {@link ImportCheckpoint}s (one per member the batch ends or ends in: its next line to
 * read), committed with its rows. A batch the store refuses is written in halves
 * down to single events, which become dead letters; transient failures are retried with backoff.
 */
public final class ImportWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImportWriter.class);
    private static final TakeApart TAKE_APART = new TakeApart("line");
    private static final Work STOP = new Work(List.of(), List.of(), List.of());

    /** Lines, the checkpoints of the members they come from, and the lines that could not be mapped. */
    private record Work(List<Line> lines, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad) {}

    /** A batch prepared for the writer, with its work (to prepare it again if the store refuses it). */
    private record Prepared(Work work, BatchPreparer.Prepared prepared) {}

    private static final Prepared END = new Prepared(STOP, null);

    private final Sink sink;
    private final BatchPreparer preparer;
    private final BlockingQueue<Work> queue = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<Prepared> handoff = new ArrayBlockingQueue<>(1);
    /** Batches handed to the writer and not yet done with. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Set by the writer when the store refuses a batch; the batches behind it are then set aside, not written. */
    private volatile boolean refused;
    /** The refused batch's work and the work behind it, in order, for the prepare thread to do again. */
    private final java.util.Queue<Work> setAside = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final Thread prepareThread;
    private final Thread writeThread;
    private volatile Throwable failure;
    /** The store's message for the last batch or piece it refused (prepare thread). */
    private volatile String lastRefusal;

    private volatile String lastCulprit;
    private final Quarantine quarantine;
    public final AtomicLong events = new AtomicLong();
    public final AtomicLong duplicates = new AtomicLong();
    public final AtomicLong deadLetters = new AtomicLong();
    public final Map<String, AtomicLong> rows = new java.util.concurrent.ConcurrentHashMap<>();
    /** Prepared batches set aside behind a refused one (and prepared again). */
    final AtomicLong setAsideBatches = new AtomicLong();

    public ImportWriter(Sink sink, Router router, int maxFields, int maxColumns) {
        this(sink, router, maxFields, maxColumns, new Quarantine(java.nio.file.Path.of("data", "quarantine")));
    }

    /** @param quarantine where dead letters go when the store will not record them */
    public ImportWriter(Sink sink, Router router, int maxFields, int maxColumns, Quarantine quarantine) {
        this.sink = sink;
        this.quarantine = quarantine;
        this.preparer = new BatchPreparer(sink, maxFields, maxColumns, router, TAKE_APART);
        this.prepareThread = new Thread(() -> guarded(this::prepareLoop), "import-prepare");
        this.writeThread = new Thread(() -> guarded(this::writeLoop), "import-writer");
        prepareThread.start();
        writeThread.start();
    }

    /**
     * Queues a batch: {@code ndjson} holds canonical events one per line; {@code lineNumbers[i]} is the source line of
     * event i; {@code checkpoints} commit with the batch; {@code bad} are lines that could not be mapped. Waits while
     * the prepare thread is busy.
     */
    public void submit(byte[] ndjson, long[] lineNumbers, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad)
            throws InterruptedException, IOException {
        rethrow();
        List<Line> lines = new ArrayList<>(lineNumbers.length);
        Newlines.forEach(ndjson, (start, len) -> lines.add(new Line(ndjson, start, len, lineNumbers[lines.size()])));
        Work w = new Work(lines, List.copyOf(checkpoints), List.copyOf(bad));
        while (!queue.offer(w, 100, TimeUnit.MILLISECONDS)) rethrow();
    }

    /** Waits until every queued batch is written; throws what made the writer stop. */
    public void finish() throws InterruptedException, IOException {
        while (!queue.offer(STOP, 100, TimeUnit.MILLISECONDS)) rethrow();
        prepareThread.join();
        writeThread.join();
        rethrow();
    }

    private void rethrow() throws IOException {
        if (failure != null) throw new IOException("the store write failed: " + failure.getMessage(), failure);
    }

    private interface Loop {
        void run() throws Exception;
    }

    /** Runs a thread's loop; what stops it stops the import, and the other thread with it. */
    private void guarded(Loop loop) {
        try {
            loop.run();
        } catch (Throwable t) {
            if (failure == null) failure = t;
            queue.clear();
            handoff.clear();
        }
    }

    private void prepareLoop() throws Exception {
        Deque<Work> again = new ArrayDeque<>();
        while (true) {
            if (refused) {
                // the writer has set aside the refused batch and everything behind it: do them again, the first in
                // pieces
                while (inFlight.get() > 0) {
                    if (failure != null) return;
                    Thread.sleep(5);
                }
                List<Work> aside = new ArrayList<>();
                for (Work w; (w = setAside.poll()) != null; ) aside.add(w);
                refused = false;
                takeApart(aside.get(0));
                for (int i = aside.size() - 1; i >= 1; i--) again.addFirst(aside.get(i));
                continue;
            }
            Work w = again.isEmpty() ? queue.poll(100, TimeUnit.MILLISECONDS) : again.poll();
            if (failure != null) return;
            if (w == null) continue;
            if (w == STOP) {
                if (inFlight.get() > 0 || refused) {
                    again.addLast(STOP); // a batch still being written may yet be refused and come back
                    Thread.sleep(5);
                    continue;
                }
                hand(END);
                return;
            }
            inFlight.incrementAndGet();
            hand(new Prepared(w, preparer.prepare(w.lines(), null, 0)));
        }
    }

    private void hand(Prepared p) throws InterruptedException {
        while (!handoff.offer(p, 100, TimeUnit.MILLISECONDS)) {
            if (failure != null) {
                if (p.prepared() != null) p.prepared().batch().discard();
                return;
            }
        }
    }

    private void writeLoop() throws Exception {
        while (true) {
            Prepared p = handoff.poll(100, TimeUnit.MILLISECONDS);
            if (failure != null) return;
            if (p == null) continue;
            if (p == END) return;
            try {
                if (refused) {
                    p.prepared()
                            .batch()
                            .discard(); // behind a refused batch: prepared again once that one is taken apart
                    setAside.add(p.work());
                    setAsideBatches.incrementAndGet();
                } else if (!write(p.work(), p.prepared())) {
                    setAside.add(p.work());
                    refused = true;
                }
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** False when the store refused the batch for good (its staged files are then discarded). */
    private boolean write(Work w, BatchPreparer.Prepared p) throws IOException, InterruptedException {
        List<DeadLetter> dead = new ArrayList<>(p.batch().deadLetters());
        dead.addAll(w.bad());
        WriteBatch batch = p.batch().withDeadLetters(dead).withImports(w.checkpoints());
        Map<String, Long> dups = writeWithRetry(batch);
        if (dups != null) {
            account(p, batch, dups);
            return true;
        }
        batch.discard();
        return false;
    }

    private void account(BatchPreparer.Prepared p, WriteBatch b, Map<String, Long> dups) {
        events.addAndGet(p.events() - StoreRefusals.count(b));
        duplicates.addAndGet(p.repeated());
        deadLetters.addAndGet(b.deadLetters().size() + StoreRefusals.count(b));
        for (var t : b.tables()) {
            long skipped = dups.getOrDefault(t.table(), 0L);
            if (t.table().equals(Router.EVENTS)) duplicates.addAndGet(skipped);
            rows.computeIfAbsent(t.table(), k -> new AtomicLong()).addAndGet(t.rows() - skipped);
        }
        b.discard();
    }

    /** Null when the store refuses the batch for good; retries transient failures up to about ten minutes. */
    private Map<String, Long> writeWithRetry(WriteBatch batch) throws InterruptedException, IOException {
        StoreWrites.Outcome o = StoreWrites.write(sink, batch, (e, attempt, wait) -> {
            if (attempt >= 30) throw new IOException("the store kept failing: " + e.getMessage(), e);
            LOG.warn("Store write failed ({}), retrying in {} ms", e.getMessage(), wait);
            Thread.sleep(wait);
        });
        if (o.written()) return o.duplicates();
        lastRefusal = o.refusal().getMessage();
        lastCulprit = o.refusal().culpritId();
        LOG.warn("Store refused the batch ({}): writing it in smaller pieces", lastRefusal);
        return null;
    }

    private void takeApart(Work w) throws IOException, InterruptedException {
        reloadCatalog();
        List<DeadLetter> dead = new ArrayList<>(w.bad());
        try {
            // the pieces carry no checkpoint: the members' checkpoints move once every piece is written
            dead.addAll(TAKE_APART.run(w.lines(), this::writePiece, Integer.MAX_VALUE, () -> true));
        } catch (TakeApart.TooManyRefused e) {
            throw new IllegalStateException(e); // no limit is set
        }
        WriteBatch close = WriteBatch.importsOnly(dead, w.checkpoints());
        if (writeWithRetry(close) == null) {
            quarantine.add(dead, lastRefusal);
            close = WriteBatch.importsOnly(List.of(), w.checkpoints());
            if (writeWithRetry(close) == null)
                throw new IOException("the store refused to record the checkpoint: " + lastRefusal);
        }
        deadLetters.addAndGet(dead.size());
    }

    /** One piece of a refused batch, prepared and written; null when written. */
    private TakeApart.Refusal writePiece(List<Line> piece) throws IOException, InterruptedException {
        BatchPreparer.Prepared part = preparer.prepare(piece, null, 0);
        Map<String, Long> dups = writeWithRetry(part.batch());
        if (dups != null) {
            account(part, part.batch(), dups);
            return null;
        }
        part.batch().discard();
        reloadCatalog();
        return new TakeApart.Refusal(
                lastRefusal,
                String.join(
                        ",",
                        part.batch().tables().stream()
                                .map(io.catchment.sink.TableBatch::table)
                                .toList()),
                lastCulprit);
    }

    private void reloadCatalog() {
        try {
            sink.reloadCatalog();
        } catch (io.catchment.sink.SinkException e) {
            LOG.warn("Could not re-read the catalog", e);
        }
    }

    @Override
    public void close() {
        prepareThread.interrupt();
        writeThread.interrupt();
    }
}
