package io.catchment.log.sqs;

import io.catchment.log.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One loader's view of the SQS queue as an {@link EventLog}, so that the same {@link io.catchment.loader.Loader} runs
 * on it: each message received becomes a record with the next offset of this receiver (dense, from {@code base}, the
 * offset the store last recorded for it). The messages in hand (received, not yet deleted) are kept, so reading again
 * from an earlier offset (the loader does after a refused batch) returns them again. {@link #commit} deletes the
 * messages below the offset, called by the loader only after the store committed their rows: a crash before that
 * leaves them in the queue, SQS delivers them again after the visibility timeout and the duplicate check drops what
 * was already stored. {@link #extendVisibility} keeps the messages in hand invisible while their batch is in work.
 *
 * <p>A message that is not Catchment's ({@link SqsCodec#decode} fails) is neither kept nor deleted: it comes back after
 * each visibility timeout until the redrive policy moves it to the dead-letter queue. One reading thread; commit and
 * extendVisibility may run on other threads.
 */
public final class SqsReceiver implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(SqsReceiver.class);

    private final SqsQueues queues;
    private final long base;
    private final TreeMap<Long, InHand> hand = new TreeMap<>();
    private long next;
    private volatile long committed = -1;
    private final java.util.concurrent.atomic.AtomicLong redelivered = new java.util.concurrent.atomic.AtomicLong();

    private record InHand(String messageId, String receipt, byte[] lines) {}

    public SqsReceiver(SqsQueues queues, long base) {
        this.queues = queues;
        this.base = Math.max(0, base);
        this.next = this.base;
    }

    @Override
    public long append(byte[] record) {
        throw new UnsupportedOperationException("appends go through SqsLog");
    }

    @Override
    public List<LogRecord> read(long from, int max, Duration wait) throws IOException {
        synchronized (hand) {
            if (from < next) {
                List<LogRecord> out = new ArrayList<>();
                for (Map.Entry<Long, InHand> e : hand.tailMap(from).entrySet()) {
                    if (out.size() >= max) break;
                    out.add(new LogRecord(e.getKey(), e.getValue().lines()));
                }
                return out;
            }
        }
        List<Message> got;
        try {
            int seconds = (int) Math.min(20, Math.max(1, (wait.toMillis() + 999) / 1000));
            got = queues.client()
                    .receiveMessage(r -> r.queueUrl(queues.url())
                            .maxNumberOfMessages(Math.min(10, Math.max(1, max)))
                            .waitTimeSeconds(seconds)
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .messages();
        } catch (SdkException e) {
            throw new IOException("SQS receive from " + queues.url() + " failed: " + e.getMessage(), e);
        }
        List<LogRecord> out = new ArrayList<>();
        synchronized (hand) {
            for (Message m : got) {
                if (!"1".equals(m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)))
                    redelivered.incrementAndGet();
                byte[] lines;
                try {
                    lines = SqsCodec.decode(m.body());
                } catch (IOException e) {
                    LOG.warn(
                            "SQS message {} is not a Catchment message ({}); left for the redrive policy",
                            m.messageId(),
                            e.getMessage());
                    continue;
                }
                hand.put(next, new InHand(m.messageId(), m.receiptHandle(), lines));
                out.add(new LogRecord(next, lines));
                next++;
            }
        }
        return out;
    }

    /** Deletes the messages below {@code next} from the queue: the store has their rows. */
    @Override
    public void commit(long upTo) throws IOException {
        List<InHand> done;
        synchronized (hand) {
            var head = hand.headMap(upTo);
            done = new ArrayList<>(head.values());
            head.clear();
        }
        committed = upTo;
        String failed = null;
        for (int i = 0; i < done.size(); i += 10) {
            List<InHand> chunk = done.subList(i, Math.min(done.size(), i + 10));
            try {
                var answer = queues.client()
                        .deleteMessageBatch(r -> r.queueUrl(queues.url())
                                .entries(chunk.stream()
                                        .map(h -> DeleteMessageBatchRequestEntry.builder()
                                                .id(h.messageId().replaceAll("[^A-Za-z0-9_-]", "_"))
                                                .receiptHandle(h.receipt())
                                                .build())
                                        .toList()));
                if (!answer.failed().isEmpty()) failed = answer.failed().get(0).message();
            } catch (SdkException e) {
                failed = e.getMessage();
            }
        }
        // not deleted: SQS delivers them again after the visibility timeout, and the duplicate check drops them
        if (failed != null) throw new IOException("SQS did not delete every loaded message: " + failed);
    }

    /** Keeps the messages in hand invisible for another {@code timeout} (their batch is being prepared or written). */
    public void extendVisibility(Duration timeout) {
        List<InHand> held;
        synchronized (hand) {
            held = new ArrayList<>(hand.values());
        }
        for (int i = 0; i < held.size(); i += 10) {
            List<InHand> chunk = held.subList(i, Math.min(held.size(), i + 10));
            try {
                queues.client()
                        .changeMessageVisibilityBatch(r -> r.queueUrl(queues.url())
                                .entries(chunk.stream()
                                        .map(h -> ChangeMessageVisibilityBatchRequestEntry.builder()
                                                .id(h.messageId().replaceAll("[^A-Za-z0-9_-]", "_"))
                                                .receiptHandle(h.receipt())
                                                .visibilityTimeout((int) timeout.toSeconds())
                                                .build())
                                        .toList()));
            } catch (SdkException e) {
                LOG.warn("Could not extend the visibility of {} SQS messages in work", chunk.size(), e);
            }
        }
    }

    /** Makes the messages in hand visible again at once (stopping: another loader takes them without waiting). */
    public void release() {
        extendVisibility(Duration.ZERO);
        synchronized (hand) {
            hand.clear();
        }
    }

    /** Messages received that SQS had delivered before (a loader died, or the visibility timeout passed). */
    public long redelivered() {
        return redelivered.get();
    }

    /** Messages received and not yet deleted. */
    public int inHand() {
        synchronized (hand) {
            return hand.size();
        }
    }

    @Override
    public long committedOffset() {
        return committed;
    }

    /** The offset the next message received will get. */
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
