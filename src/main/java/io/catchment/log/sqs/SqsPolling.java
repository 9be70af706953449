package io.catchment.log.sqs;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The receiving threads of one process ({@code sqs.receivers}): each long-polls the queue for up to 10 messages at a
 * time, decodes them (base64, zstd) and queues them for the loader, while less than {@link #MAX_BUFFERED} bytes of
 * decoded lines wait. Every message received and not yet deleted or released is <em>held</em> here by its message id.
 * A message SQS delivers again while it is held (its visibility timeout passed, or SQS's at-least-once delivery gave it
 * twice) is not queued a second time: its newer receipt handle replaces the old one, since SQS deletes a message only
 * by the handle of its latest receive. A message that is not Catchment's ({@link SqsCodec#decode} fails) is neither
 * held nor deleted: the redrive policy moves it to the dead-letter queue. Thread-safe.
 */
final class SqsPolling {
    private static final Logger LOG = LoggerFactory.getLogger(SqsPolling.class);
    /** Decoded bytes waiting for the loader beyond which the threads stop receiving. */
    static final long MAX_BUFFERED = 64L << 20;

    private final SqsQueues queues;
    private final SqsReceipts receipts;
    private final List<Thread> threads = new ArrayList<>();
    private final LinkedBlockingQueue<Held> arrived = new LinkedBlockingQueue<>();
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();
    private final Object room = new Object();
    private long buffered; // guarded by room
    private volatile boolean stopping;
    private volatile String lastError;
    final AtomicLong received = new AtomicLong();
    final AtomicLong redelivered = new AtomicLong();
    final AtomicLong receivedWhileHeld = new AtomicLong();

    /** A message received and not yet deleted: its lines, and the receipt handle of its latest receive. */
    static final class Held {
        final String messageId;
        final byte[] lines;
        volatile String receipt;

        Held(String messageId, String receipt, byte[] lines) {
            this.messageId = messageId;
            this.receipt = receipt;
            this.lines = lines;
        }
    }

    SqsPolling(SqsQueues queues, SqsReceipts receipts, int threads) {
        this.queues = queues;
        this.receipts = receipts;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::pollLoop, "sqs-receive-" + i);
            t.setDaemon(true);
            this.threads.add(t);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    int threads() {
        return threads.size();
    }

    /** The next message received, waiting up to {@code wait} for one; null when none came. */
    Held next(Duration wait) throws InterruptedException {
        Held h = wait.isZero() ? arrived.poll() : arrived.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        if (h != null) taken(h);
        return h;
    }

    private void taken(Held h) {
        synchronized (room) {
            buffered -= h.lines.length;
            room.notifyAll();
        }
    }

    /** Messages held: received and not yet deleted or released. */
    Collection<Held> held() {
        return List.copyOf(held.values());
    }

    int heldCount() {
        return held.size();
    }

    /** No longer held: deleted or released (a later receive of the same message is loaded again). */
    void forget(Collection<Held> done) {
        for (Held h : done) held.remove(h.messageId, h);
    }

    /** The last receive failure, or null once a receive succeeded again. */
    String lastError() {
        return lastError;
    }

    private void pollLoop() {
        long backoff = 100;
        while (!stopping) {
            try {
                waitForRoom();
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) return;
            List<Message> got;
            try {
                got = queues.client()
                        .receiveMessage(r -> r.queueUrl(queues.url())
                                .maxNumberOfMessages(10)
                                .waitTimeSeconds(20)
                                // sqs.visibility_timeout, whatever the queue's own: the loader extends what it holds
                                // every third of it, so a shorter queue timeout would deliver messages in work again
                                // before their first extension (counting towards maxReceiveCount), and a longer one
                                // would keep a dead loader's messages away that much longer
                                .visibilityTimeout(queues.visibilitySeconds())
                                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .messages();
                lastError = null;
                backoff = 100;
            } catch (SdkException e) {
                lastError = "SQS receive from " + queues.url() + " failed: " + e.getMessage();
                LOG.warn("SQS receive failed, retrying in {} ms", backoff, e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
                continue;
            }
            if (stopping) {
                releaseLate(got);
                return;
            }
            for (Message m : got) accept(m);
        }
    }

    /** Messages a receive in flight brought after the loader stopped: visible again at once, if SQS can be told. */
    private void releaseLate(List<Message> got) {
        List<Held> late = new ArrayList<>();
        for (Message m : got) late.add(new Held(m.messageId(), m.receiptHandle(), new byte[0]));
        try {
            receipts.changeVisibility(late, Duration.ZERO);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("{} SQS messages received while stopping come back after the visibility timeout", late.size());
        }
    }

    private void waitForRoom() throws InterruptedException {
        synchronized (room) {
            while (buffered >= MAX_BUFFERED && !stopping) room.wait(1_000);
        }
    }

    private void accept(Message m) {
        received.incrementAndGet();
        if (!"1".equals(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)))
            redelivered.incrementAndGet();
        Held known = held.get(m.messageId());
        if (known != null) {
            known.receipt = m.receiptHandle();
            receivedWhileHeld.incrementAndGet();
            return;
        }
        byte[] lines;
        try {
            lines = SqsCodec.decode(m.body());
        } catch (IOException e) {
            LOG.warn(
                    "SQS message {} is not a Catchment message ({}); left for the redrive policy",
                    m.messageId(),
                    e.getMessage());
            return;
        }
        Held h = new Held(m.messageId(), m.receiptHandle(), lines);
        known = held.putIfAbsent(m.messageId(), h);
        if (known != null) { // another thread took the same message at the same moment
            known.receipt = m.receiptHandle();
            receivedWhileHeld.incrementAndGet();
            return;
        }
        synchronized (room) {
            buffered += lines.length;
        }
        arrived.add(h);
    }

    /**
     * Stops receiving: waits up to {@code wait} for the threads' receives in flight (a long poll lasts up to 20 s).
     * Messages they receive later stay held; the caller releases what is held.
     */
    void stop(Duration wait) {
        stopping = true;
        synchronized (room) {
            room.notifyAll();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
