package io.catchment.log.sqs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The messages SQS's redrive policy moved to the dead-letter queue (received {@code sqs.max_receive_count} times and
 * never deleted: a message that is not Catchment's, or one whose loaders kept dying). The loaders take them out
 * ({@link #receive}), record them as Catchment dead letters, and only then {@link #delete} them, so that {@code
 * catchment dlq} and {@code /v1/dlq} list them with the other dead letters and replay them the same way. Thread-safe.
 */
public final class SqsDeadLetterQueue {
    private final SqsQueues queues;

    /** A message from the dead-letter queue: its lines when it is Catchment's, else why not and its body. */
    public record Moved(String messageId, String receipt, int receiveCount, byte[] lines, String error, String body) {}

    public SqsDeadLetterQueue(SqsQueues queues) {
        this.queues = queues;
    }

    /** Whether the queue has a dead-letter queue at all. */
    public boolean exists() {
        return queues.deadLetterUrl() != null;
    }

    /** Up to 10 messages, hidden from other receivers for sqs.visibility_timeout while they are recorded. */
    public List<Moved> receive() throws IOException {
        if (!exists()) return List.of();
        List<Message> got;
        try {
            got = queues.client()
                    .receiveMessage(r -> r.queueUrl(queues.deadLetterUrl())
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds(0)
                            .visibilityTimeout(queues.visibilitySeconds())
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .messages();
        } catch (SdkException e) {
            throw new IOException("SQS receive from " + queues.deadLetterUrl() + " failed: " + e.getMessage(), e);
        }
        List<Moved> out = new ArrayList<>();
        for (Message m : got) {
            int count = Integer.parseInt(
                    m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "0"));
            try {
                out.add(new Moved(m.messageId(), m.receiptHandle(), count, SqsCodec.decode(m.body()), null, m.body()));
            } catch (IOException e) {
                out.add(new Moved(m.messageId(), m.receiptHandle(), count, null, e.getMessage(), m.body()));
            }
        }
        return out;
    }

    /** Deletes messages now recorded as dead letters. */
    public void delete(List<Moved> done) throws IOException {
        if (done.isEmpty()) return;
        try {
            var answer = queues.client()
                    .deleteMessageBatch(r -> r.queueUrl(queues.deadLetterUrl())
                            .entries(done.stream()
                                    .map(m -> DeleteMessageBatchRequestEntry.builder()
                                            .id(m.messageId().replaceAll("[^A-Za-z0-9_-]", "_"))
                                            .receiptHandle(m.receipt())
                                            .build())
                                    .toList()));
            if (!answer.failed().isEmpty())
                throw new IOException("SQS did not delete a dead-letter message: "
                        + answer.failed().get(0).message());
        } catch (SdkException e) {
            throw new IOException("SQS delete from " + queues.deadLetterUrl() + " failed: " + e.getMessage(), e);
        }
    }

    /** The redrive policy's receive count, for the dead letters' reason. */
    public int maxReceiveCount() {
        return queues.config().maxReceiveCount();
    }
}
