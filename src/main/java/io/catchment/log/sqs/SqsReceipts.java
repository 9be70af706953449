package io.catchment.log.sqs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

/**
 * What a loader does with the receipt handles of held messages, in batches of 10 on threads of its own: deletes
 * loaded messages without the loader waiting ({@link #delete}), and changes the visibility of messages in work
 * ({@link #changeVisibility}, waiting for the answers). A delete that fails is logged and counted, not retried: the
 * message comes back after its visibility timeout and the duplicate check drops its events. Batch entry ids are the
 * positions in the batch (SQS can give one message twice, and refuses a batch whose ids repeat). Thread-safe.
 */
final class SqsReceipts {
    private static final Logger LOG = LoggerFactory.getLogger(SqsReceipts.class);

    private final SqsQueues queues;
    private final ExecutorService pool;
    final AtomicLong deleted = new AtomicLong();
    final AtomicLong deleteFailed = new AtomicLong();

    SqsReceipts(SqsQueues queues, int threads) {
        this.queues = queues;
        AtomicLong n = new AtomicLong();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sqs-receipts-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** Deletes the messages in the background, 10 to a call. */
    void delete(List<SqsPolling.Held> done) {
        for (List<SqsPolling.Held> chunk : chunks(done)) pool.execute(() -> deleteNow(chunk));
    }

    private void deleteNow(List<SqsPolling.Held> chunk) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder()
                    .id(String.valueOf(i))
                    .receiptHandle(chunk.get(i).receipt)
                    .build());
        }
        try {
            var answer = queues.client()
                    .deleteMessageBatch(r -> r.queueUrl(queues.url()).entries(entries));
            deleted.addAndGet(answer.successful().size());
            if (!answer.failed().isEmpty()) {
                deleteFailed.addAndGet(answer.failed().size());
                var f = answer.failed().get(0);
                LOG.warn(
                        "SQS did not delete {} of {} loaded messages ({}: {}); they come back after the visibility "
                                + "timeout and the duplicate check drops them",
                        answer.failed().size(),
                        chunk.size(),
                        f.code(),
                        f.message());
            }
        } catch (SdkException e) {
            deleteFailed.addAndGet(chunk.size());
            LOG.warn(
                    "SQS did not delete {} loaded messages; they come back after the visibility timeout and the "
                            + "duplicate check drops them",
                    chunk.size(),
                    e);
        }
    }

    /** Sets the visibility timeout of the messages to {@code timeout} from now; returns once SQS answered. */
    void changeVisibility(List<SqsPolling.Held> held, Duration timeout) {
        List<Future<?>> calls = new ArrayList<>();
        for (List<SqsPolling.Held> chunk : chunks(held))
            calls.add(pool.submit(() -> changeVisibilityNow(chunk, (int) timeout.toSeconds())));
        for (Future<?> f : calls) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Could not change the visibility of SQS messages", e.getCause());
            }
        }
    }

    private void changeVisibilityNow(List<SqsPolling.Held> chunk, int seconds) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
                    .id(String.valueOf(i))
                    .receiptHandle(chunk.get(i).receipt)
                    .visibilityTimeout(seconds)
                    .build());
        }
        try {
            // an entry refused is a message deleted meanwhile (its batch was loaded): nothing to do
            queues.client()
                    .changeMessageVisibilityBatch(r -> r.queueUrl(queues.url()).entries(entries));
        } catch (SdkException e) {
            LOG.warn("Could not change the visibility of {} SQS messages", chunk.size(), e);
        }
    }

    private static List<List<SqsPolling.Held>> chunks(List<SqsPolling.Held> all) {
        List<List<SqsPolling.Held>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 10) out.add(List.copyOf(all.subList(i, Math.min(all.size(), i + 10))));
        return out;
    }

    /** Waits up to {@code wait} for the deletes and changes asked for, then stops the threads. */
    void close(Duration wait) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
