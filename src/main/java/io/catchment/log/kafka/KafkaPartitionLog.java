package io.catchment.log.kafka;

import io.catchment.log.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition of the Kafka topic as an {@link EventLog}: what one loader reads. Reading uses a consumer of its own,
 * assigned to the partition (no group: the group membership and the rebalancing are {@link KafkaLoaders}'), positioned
 * by the caller's offsets (the store's, which are the truth). {@link #commit} also records the offset in the consumer
 * group, for the lag that Kafka's own tools show. Appends go to this partition. One reader thread.
 */
public final class KafkaPartitionLog implements EventLog {
    private final KafkaLog topic;
    private final TopicPartition tp;
    private KafkaConsumer<byte[], byte[]> consumer;
    private long position = -1;
    private volatile long committed = -1;

    KafkaPartitionLog(KafkaLog topic, int partition) {
        this.topic = topic;
        this.tp = new TopicPartition(topic.topic(), partition);
    }

    public int partition() {
        return tp.partition();
    }

    @Override
    public long append(byte[] record) throws IOException {
        return topic.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, record));
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = topic.newConsumer(null);
            consumer.assign(List.of(tp));
        }
        return consumer;
    }

    @Override
    public synchronized List<LogRecord> read(long from, int max, Duration wait) throws IOException {
        KafkaConsumer<byte[], byte[]> c = consumer();
        if (from != position) {
            c.seek(tp, from);
            position = from;
        }
        List<LogRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            do {
                long left = Math.max(0, deadline - System.nanoTime());
                for (ConsumerRecord<byte[], byte[]> r :
                        c.poll(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200))))) {
                    out.add(new LogRecord(r.offset(), r.value()));
                }
            } while (out.isEmpty() && System.nanoTime() < deadline);
        } catch (org.apache.kafka.common.KafkaException e) {
            position = -1;
            throw new IOException("Kafka read of " + tp + " failed: " + e.getMessage(), e);
        }
        if (out.size() > max) {
            // more than asked: the rest is read again from the next offset (the consumer is re-positioned)
            out = new ArrayList<>(out.subList(0, max));
        }
        if (!out.isEmpty()) position = out.get(out.size() - 1).offset() + 1;
        if (position >= 0 && c.position(tp) != position) c.seek(tp, position);
        return out;
    }

    @Override
    public void commit(long next) throws IOException {
        committed = next;
    }

    /** Commits the loaded position to the consumer group {@code group} (for Kafka's lag tools); best effort. */
    public void commitToGroup(KafkaConsumer<?, ?> groupConsumer) {
        if (committed >= 0) groupConsumer.commitAsync(Map.of(tp, new OffsetAndMetadata(committed)), null);
    }

    @Override
    public long committedOffset() {
        return committed;
    }

    @Override
    public long endOffset() {
        return offsets(true);
    }

    @Override
    public long startOffset() {
        return offsets(false);
    }

    private synchronized long offsets(boolean end) {
        try {
            Map<TopicPartition, Long> m = end
                    ? consumer().endOffsets(List.of(tp), Duration.ofSeconds(10))
                    : consumer().beginningOffsets(List.of(tp), Duration.ofSeconds(10));
            return m.get(tp);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("cannot read the offsets of " + tp + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long sizeBytes() {
        return 0;
    }

    @Override
    public boolean healthy() {
        return topic.healthy();
    }

    @Override
    public synchronized void close() {
        if (consumer != null) consumer.close(Duration.ofSeconds(5));
        consumer = null;
        position = -1;
    }
}
