package io.catchment.loader;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import io.catchment.log.sqs.SqsDeadLetterQueue;
import io.catchment.log.sqs.SqsQueues;
import io.catchment.log.sqs.SqsReceiver;
import io.catchment.metrics.Metrics;
import io.catchment.schema.Router;
import io.catchment.sink.Sink;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader of one process on an SQS log: one {@link Loader} on an {@link SqsReceiver}, whose {@code sqs.receivers}
 * threads long-poll and decode messages in parallel; messages are deleted only after the store committed their rows.
 * Any process may receive any message (SQS has no partitions); redelivered and out-of-order messages are harmless:
 * the duplicate check drops what is stored, and {@code users} merges by event time. One loader, not one per receiving
 * thread: several loaders of one process on one store raced on the catalog (tables created twice, staged columns out
 * of line with the table), and the store writes one batch at a time anyway. Beside it, one timer thread extends the
 * visibility of every message held (every third of the visibility timeout) and moves what SQS's redrive policy put on
 * the dead-letter queue into Catchment's dead letters (recorded in the store, then deleted from SQS), where
 * {@code catchment dlq} lists and replays them.
 */
public final class SqsLoaders implements Loading {
    private static final Logger LOG = LoggerFactory.getLogger(SqsLoaders.class);

    private final SqsQueues queues;
    private final Sink sink;
    private final Metrics metrics;
    private final SqsDeadLetterQueue dlq;
    private final SqsReceiver receiver;
    private final Loader loader;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sqs-visibility");
        t.setDaemon(true);
        return t;
    });
    private volatile String lastError;

    public SqsLoaders(
            SqsQueues queues,
            Sink sink,
            Metrics metrics,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns,
            Router router,
            java.nio.file.Path quarantine) {
        this.queues = queues;
        this.sink = sink;
        this.metrics = metrics;
        this.dlq = new SqsDeadLetterQueue(queues);
        String consumer = "sqs:" + queues.name();
        this.receiver = new SqsReceiver(queues, queues.config().receivers(), sink.loadedOffset(consumer));
        this.loader = new Loader(
                        receiver, sink, metrics, batchEvents, batchWait, maxFields, maxColumns, router, consumer)
                .quarantineIn(quarantine);
    }

    @Override
    public void start() {
        receiver.start();
        loader.start();
        Duration visibility = queues.config().visibilityTimeout();
        long every = Math.max(1000, visibility.toMillis() / 3);
        timer.scheduleWithFixedDelay(() -> receiver.extendVisibility(visibility), every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::drainDeadLetterQueue, 1, 5, TimeUnit.SECONDS);
        LOG.info("Loading SQS queue {} with {} receiving threads", queues.url(), receiver.receivers());
    }

    /** Records what SQS moved to its dead-letter queue as Catchment dead letters, then deletes it there. */
    void drainDeadLetterQueue() {
        try {
            List<SqsDeadLetterQueue.Moved> moved;
            while (!(moved = dlq.receive()).isEmpty()) {
                List<DeadLetter> dead = new ArrayList<>();
                for (SqsDeadLetterQueue.Moved m : moved) dead.addAll(deadLetters(m));
                String consumer = "sqs-dlq:" + queues.name();
                sink.write(WriteBatch.offsetOnly(dead, consumer, Math.max(0, sink.loadedOffset(consumer)) + 1));
                dlq.delete(moved);
                metrics.deadLettered.increment(dead.size());
                LOG.warn("{} messages from SQS's dead-letter queue are now {} dead letters", moved.size(), dead.size());
            }
            lastError = null;
        } catch (IOException | io.catchment.sink.SinkException | RuntimeException e) {
            lastError = "SQS dead-letter queue: " + e.getMessage();
            LOG.warn("Could not move SQS's dead-letter queue into the dead letters", e);
        }
    }

    private List<DeadLetter> deadLetters(SqsDeadLetterQueue.Moved m) {
        String why = "SQS moved message " + m.messageId() + " to its dead-letter queue after " + m.receiveCount()
                + " receives (max_receive_count " + dlq.maxReceiveCount() + ")";
        List<DeadLetter> out = new ArrayList<>();
        if (m.lines() == null) {
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("sqs_message_id", m.messageId());
            raw.put("body", m.body().length() > 65536 ? m.body().substring(0, 65536) : m.body());
            out.add(new DeadLetter(m.messageId(), "", why + ": " + m.error(), json(raw), -1));
            return out;
        }
        Newlines.forEach(m.lines(), (start, len) -> {
            String line = new String(m.lines(), start, len, StandardCharsets.UTF_8);
            if (!line.isBlank()) out.add(new DeadLetter(eventId(line, m.messageId()), "", why, line, -1));
        });
        return out;
    }

    private static String eventId(String line, String fallback) {
        try {
            JsonNode n = EventJson.MAPPER.readTree(line);
            return n.hasNonNull("id") ? n.get("id").asText() : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    private static String json(Object o) {
        try {
            return EventJson.MAPPER.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Messages waiting in the queue plus those in work (received, not deleted), by SQS's approximate counts. */
    @Override
    public long lag() {
        SqsQueues.Backlog b = queues.backlog();
        return Math.max(0, b.visible()) + Math.max(0, b.inFlight());
    }

    @Override
    public long position() {
        return loader.position();
    }

    @Override
    public Duration sinceProgress() {
        return loader.sinceProgress();
    }

    @Override
    public String lastError() {
        if (loader.lastError() != null) return loader.lastError();
        if (receiver.lastError() != null) return receiver.lastError();
        return lastError;
    }

    @Override
    public Map<String, Object> details() {
        SqsQueues.Backlog b = queues.backlog();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sqs_queue", queues.url());
        out.put("sqs_messages_waiting", b.visible());
        out.put("sqs_messages_in_flight", b.inFlight());
        out.put("sqs_dead_letter_queue_messages", b.dead());
        out.put("sqs_receivers", receiver.receivers());
        out.put("sqs_messages_in_hand", receiver.held());
        out.put("sqs_messages_received", receiver.received());
        out.put("sqs_messages_redelivered", receiver.redelivered());
        out.put("sqs_messages_received_while_held", receiver.receivedWhileHeld());
        out.put("sqs_messages_deleted", receiver.deleted());
        out.put("sqs_messages_delete_failed", receiver.deleteFailed());
        out.put("sqs_calls_retried", queues.retried());
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        loader.close(); // finishes the batch it is writing, and deletes its messages
        receiver.release();
    }
}
