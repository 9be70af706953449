package io.catchment.log.sqs;

import io.catchment.log.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The collector's side of the SQS log: {@link #append} returns only once SQS has every message holding the record
 * ({@code SendMessageBatch} answered success for each), so a client's 2xx means the queue has its events. Records are
 * compressed on the appending thread ({@link SqsCodec}); {@code sqs.senders} threads then pack whatever records wait
 * into up to 10 messages of at most {@code sqs.max_message_bytes} per batch (and as much per batch in all), several
 * requests to a message, and send them: group commit, as the local log's fsync. While a batch is in flight the next
 * waits for it, or for a message's worth of records ({@link SqsBatcher}), so that messages fill up under load. Entries SQS refuses in a batch are sent
 * again with backoff; after {@link #SEND_DEADLINE} the appends fail with an {@link IOException} (the collector answers
 * 503 with Retry-After). An append that failed may still have some of its messages in the queue: the client's retry
 * is then removed by the duplicate check. A record larger than a batch is sent alone in several batches.
 *
 * <p>Reading is the receivers' ({@link SqsReceiver}, one per process); this whole-queue log does not read.
 * Thread-safe.
 */
public final class SqsLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(SqsLog.class);
    /** How long a batch is retried before its appends fail. */
    static final Duration SEND_DEADLINE = Duration.ofSeconds(5);

    private final SqsQueues queues;
    private final int maxBody;
    private final int maxBinary;
    private final SqsBatcher batcher;
    private final List<Thread> senders = new ArrayList<>();
    private final AtomicLong sentMessages = new AtomicLong();
    private volatile boolean healthy = true;
    private volatile boolean closed;

    public SqsLog(SqsQueues queues) {
        this.queues = queues;
        this.maxBody = queues.config().maxMessageBytes();
        this.maxBinary = SqsCodec.binaryBudget(maxBody);
        this.batcher = new SqsBatcher(maxBinary, maxBody, queues.config().linger());
        for (int i = 0; i < queues.config().senders(); i++) {
            Thread t = new Thread(this::sendLoop, "sqs-send-" + i);
            t.setDaemon(true);
            senders.add(t);
            t.start();
        }
    }

    public SqsQueues queues() {
        return queues;
    }

    @Override
    public long append(byte[] record) throws IOException {
        if (closed) throw new IOException("the SQS log is closed");
        List<byte[]> members = SqsCodec.compress(record, maxBinary);
        int binary = members.stream().mapToInt(m -> m.length).sum();
        SqsBatcher.Waiting p = new SqsBatcher.Waiting(members, binary, new CompletableFuture<>());
        batcher.add(p);
        try {
            p.done().get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while SQS took the record", e);
        }
        return sentMessages.get();
    }

    private void sendLoop() {
        while (!closed || !batcher.isEmpty()) {
            SqsBatcher.Batch b;
            try {
                b = batcher.next(100);
            } catch (InterruptedException e) {
                return;
            }
            if (b == null) continue;
            try {
                if (b.alone() != null) {
                    sendAlone(b.alone());
                    continue;
                }
                send(b.packed().bodies());
                b.records().forEach(p -> p.done().complete(null));
            } catch (IOException e) {
                b.records().forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batcher.sent();
            }
        }
    }

    /** A record too large for one batch: its members in as many batches as they take. */
    private void sendAlone(SqsBatcher.Waiting p) {
        try {
            MessagePacker batch = new MessagePacker(maxBinary, maxBody);
            for (byte[] m : p.members()) {
                if (!batch.add(List.of(m))) {
                    send(batch.bodies());
                    batch = new MessagePacker(maxBinary, maxBody);
                    batch.add(List.of(m));
                }
            }
            send(batch.bodies());
            p.done().complete(null);
        } catch (IOException e) {
            p.done().completeExceptionally(e);
        }
    }

    /** Sends the bodies as one batch, again and again for the entries refused, until {@link #SEND_DEADLINE}. */
    private void send(List<String> bodies) throws IOException {
        Map<String, String> left = new LinkedHashMap<>();
        for (int i = 0; i < bodies.size(); i++) left.put(String.valueOf(i), bodies.get(i));
        long deadline = System.nanoTime() + SEND_DEADLINE.toNanos();
        long backoff = 50;
        String last = null;
        while (true) {
            try {
                var answer = queues.client()
                        .sendMessageBatch(r -> r.queueUrl(queues.url())
                                .entries(left.entrySet().stream()
                                        .map(e -> SendMessageBatchRequestEntry.builder()
                                                .id(e.getKey())
                                                .messageBody(e.getValue())
                                                .build())
                                        .toList()));
                answer.successful().forEach(s -> left.remove(s.id()));
                for (BatchResultErrorEntry f : answer.failed()) {
                    last = f.code() + ": " + f.message();
                    if (Boolean.TRUE.equals(f.senderFault()))
                        throw new IOException(
                                "SQS refused a message of " + left.get(f.id()).length() + " characters: " + last);
                }
                if (left.isEmpty()) {
                    healthy = true;
                    sentMessages.addAndGet(bodies.size());
                    return;
                }
            } catch (SdkException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline || closed && senders.isEmpty()) {
                healthy = false;
                LOG.warn(
                        "SQS did not take {} of {} messages within {}: {}",
                        left.size(),
                        bodies.size(),
                        SEND_DEADLINE,
                        last);
                throw new IOException("SQS did not take " + left.size() + " messages within "
                        + SEND_DEADLINE.toSeconds() + " s: " + last);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while sending to SQS", e);
            }
            backoff = Math.min(backoff * 2, 1000);
        }
    }

    /** This whole-queue log does not read: each loader reads through an {@link SqsReceiver} of its own. */
    @Override
    public List<LogRecord> read(long from, int max, Duration wait) {
        throw new UnsupportedOperationException("the SQS queue is read through its receivers");
    }

    @Override
    public void commit(long next) {}

    @Override
    public long committedOffset() {
        return -1;
    }

    /** Messages this process has sent (SQS has no offsets). */
    @Override
    public long endOffset() {
        return sentMessages.get();
    }

    @Override
    public long startOffset() {
        return 0;
    }

    /** SQS keeps the bytes; Catchment holds none locally. */
    @Override
    public long sizeBytes() {
        return 0;
    }

    /** False after a batch SQS would not take within the deadline, until one is taken again. */
    @Override
    public boolean healthy() {
        return healthy;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : senders) {
            try {
                t.join(SEND_DEADLINE.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queues.close();
    }
}
