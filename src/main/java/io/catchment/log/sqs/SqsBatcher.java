package io.catchment.log.sqs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The records waiting to be sent, gathered into batches one sender at a time. A sender takes what waits at once when
 * no batch is in flight (low traffic: each request goes without delay); while batches are in flight it waits for
 * one to finish, or for a full message's worth of records, or {@link #MAX_GATHER_NANOS}, whichever comes first. Under
 * load messages therefore fill up (group commit: fewer, larger messages, so fewer calls to send, receive and delete
 * the same events) while several batches still go at once when there is enough to fill them. Thread-safe.
 */
final class SqsBatcher {
    /** Longest a sender waits for a batch in flight before it sends what it has (a slow call holds no one long). */
    static final long MAX_GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final int maxBinary;
    private final int maxBody;
    private final long lingerNanos;
    private final LinkedBlockingQueue<Waiting> pending = new LinkedBlockingQueue<>();
    /** Held by the one sender gathering a batch. */
    private final ReentrantLock gathering = new ReentrantLock();
    /** Compressed bytes of the records not yet in a batch. */
    private final AtomicLong waitingBinary = new AtomicLong();

    private final Object flight = new Object();
    private Waiting carry; // guarded by gathering: the record that did not fit the last batch, first of the next
    private int inFlight; // guarded by flight

    /** A record waiting to be sent: its zstd frames, and the append waiting for the answer. */
    record Waiting(List<byte[]> members, int binary, CompletableFuture<Void> done) {}

    /** A batch to send: its records, packed, or (alone) one record too large for one batch. */
    record Batch(List<Waiting> records, MessagePacker packed, Waiting alone) {}

    SqsBatcher(int maxBinary, int maxBody) {
        this(maxBinary, maxBody, Duration.ZERO);
    }

    /** {@code linger}: how long a sender with nothing in flight still waits for a message's worth (sqs.linger). */
    SqsBatcher(int maxBinary, int maxBody, Duration linger) {
        this.maxBinary = maxBinary;
        this.maxBody = maxBody;
        this.lingerNanos = linger.toNanos();
    }

    void add(Waiting w) {
        long waiting = waitingBinary.addAndGet(w.binary());
        pending.add(w);
        if (waiting >= maxBinary) {
            synchronized (flight) {
                flight.notifyAll(); // a message's worth waits: the gathering sender goes now
            }
        }
    }

    /** Nothing waits to be sent (a record taken by a sender that has not sent it yet is not waiting). */
    boolean isEmpty() {
        return waitingBinary.get() == 0 && pending.isEmpty();
    }

    /**
     * The next batch, waiting up to {@code pollMillis} for a record; null when none came. The caller sends it, then
     * calls {@link #sent}.
     */
    Batch next(long pollMillis) throws InterruptedException {
        gathering.lockInterruptibly();
        try {
            Waiting first = carry;
            carry = null;
            if (first == null) first = pending.poll(pollMillis, TimeUnit.MILLISECONDS);
            if (first == null) return null;
            synchronized (flight) {
                long now = System.nanoTime();
                long until = now + MAX_GATHER_NANOS;
                long lingerUntil = now + lingerNanos;
                long left;
                while (waitingBinary.get() < maxBinary
                        && (left = (inFlight > 0 ? until : lingerUntil) - System.nanoTime()) > 0)
                    TimeUnit.NANOSECONDS.timedWait(flight, left);
                inFlight++;
            }
            waitingBinary.addAndGet(-first.binary());
            MessagePacker batch = new MessagePacker(maxBinary, maxBody);
            if (!batch.add(first.members())) return new Batch(List.of(), null, first);
            List<Waiting> in = new ArrayList<>(List.of(first));
            Waiting next;
            while ((next = pending.poll()) != null) {
                if (!batch.add(next.members())) {
                    carry = next;
                    break;
                }
                waitingBinary.addAndGet(-next.binary());
                in.add(next);
            }
            return new Batch(in, batch, null);
        } finally {
            gathering.unlock();
        }
    }

    /** A batch from {@link #next} was sent (or failed): a sender waiting to gather the next may go. */
    void sent() {
        synchronized (flight) {
            inFlight--;
            flight.notifyAll();
        }
    }
}
