package io.catchment.log.sqs;

import io.catchment.log.EventLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process's view of the SQS queue as an {@link EventLog}, so that the one {@link io.catchment.loader.Loader} of the
 * process runs on it as on the local log: {@code sqs.receivers} threads ({@link SqsPolling}) long-poll and decode
 * messages in parallel, and each message the loader reads becomes a record with the next offset (dense, from
 * {@code base}, the offset the store last recorded). The messages read and not yet deleted are kept in hand, so reading
 * again from an earlier offset (the loader does after a refused batch) returns them again. {@link #commit} deletes the
 * messages below the offset, in the background ({@link SqsReceipts}); the loader calls it only after the store committed
 * their rows, so a crash before that leaves them in the queue: SQS delivers them again after the visibility timeout and
 * the duplicate check drops what was already stored. {@link #extendVisibility} keeps every message held (waiting to be
 * read, or in hand) invisible while it waits or its batch is in work.
 *
 * <p>One loader, not one per receiving thread: the loader's batch preparer owns the catalog, and the store writes one
 * batch at a time anyway. One reading thread; commit and extendVisibility may run on other threads.
 */
public final class SqsReceiver implements EventLog {
    private final SqsPolling polling;
    private final SqsReceipts receipts;
    private final long base;
    private final TreeMap<Long, SqsPolling.Held> hand = new TreeMap<>();
    private long next;
    private volatile long committed = -1;

    /** {@code receivers} threads receiving; {@code base} is the offset the first message read gets. */
    public SqsReceiver(SqsQueues queues, int receivers, long base) {
        this.receipts = new SqsReceipts(queues, Math.max(2, receivers));
        this.polling = new SqsPolling(queues, receipts, receivers);
        this.base = Math.max(0, base);
        this.next = this.base;
    }

    /** Starts receiving. */
    public void start() {
        polling.start();
    }

    @Override
    public long append(byte[] record) {
        throw new UnsupportedOperationException("appends go through SqsLog");
    }

    @Override
    public List<LogRecord> read(long from, int max, Duration wait) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>();
        synchronized (hand) {
            if (from < next) {
                for (Map.Entry<Long, SqsPolling.Held> e : hand.tailMap(from).entrySet()) {
                    if (out.size() >= max) break;
                    out.add(new LogRecord(e.getKey(), e.getValue().lines));
                }
                return out;
            }
        }
        SqsPolling.Held h = polling.next(wait);
        while (h != null) {
            synchronized (hand) {
                hand.put(next, h);
                out.add(new LogRecord(next, h.lines));
                next++;
            }
            h = out.size() < max ? polling.next(Duration.ZERO) : null;
        }
        return out;
    }

    /** Deletes the messages below {@code upTo} from the queue (in the background): the store has their rows. */
    @Override
    public void commit(long upTo) {
        List<SqsPolling.Held> done;
        synchronized (hand) {
            var head = hand.headMap(upTo);
            done = new ArrayList<>(head.values());
            head.clear();
        }
        committed = upTo;
        polling.forget(done);
        receipts.delete(done);
    }

    /** Keeps every message held invisible for another {@code timeout} (it waits to be read, or its batch is in work). */
    public void extendVisibility(Duration timeout) {
        receipts.changeVisibility(List.copyOf(polling.held()), timeout);
    }

    /**
     * Stops receiving and makes every message held visible again at once (another loader takes them without waiting
     * for the visibility timeout); waits briefly for the deletes asked for.
     */
    public void release() {
        polling.stop(Duration.ofSeconds(1));
        List<SqsPolling.Held> held = List.copyOf(polling.held());
        receipts.changeVisibility(held, Duration.ZERO);
        polling.forget(held);
        synchronized (hand) {
            hand.clear();
        }
        receipts.close(Duration.ofSeconds(10));
    }

    /** Receiving threads. */
    public int receivers() {
        return polling.threads();
    }

    /** Messages received, in all. */
    public long received() {
        return polling.received.get();
    }

    /** Messages received that SQS had delivered before (ApproximateReceiveCount above 1). */
    public long redelivered() {
        return polling.redelivered.get();
    }

    /** Messages received again while this process still held them (not loaded twice). */
    public long receivedWhileHeld() {
        return polling.receivedWhileHeld.get();
    }

    /** Messages loaded and deleted from the queue. */
    public long deleted() {
        return receipts.deleted.get();
    }

    /** Messages loaded whose delete SQS refused or did not answer (they come back after the visibility timeout). */
    public long deleteFailed() {
        return receipts.deleteFailed.get();
    }

    /** Messages received and not yet deleted (waiting to be read, or in hand). */
    public int held() {
        return polling.heldCount();
    }

    /** The last receive failure, or null. */
    public String lastError() {
        return polling.lastError();
    }

    @Override
    public long committedOffset() {
        return committed;
    }

    /** The offset the next message read will get. */
    @Override
    public long endOffset() {
        synchronized (hand) {
            return next;
        }
    }

    @Override
    public long startOffset() {
        return base;
    }

    /**
     * No: this process's numbering of the messages it received. Another loading process of the same queue records its
     * own under the same consumer (a second process started after the first loaded found the recorded offset past its
     * end and refused to start).
     */
    @Override
    public boolean offsetsAreShared() {
        return false;
    }

    @Override
    public long sizeBytes() {
        return 0;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public void close() {}
}
