package io.catchment.loader;

import io.catchment.log.kafka.KafkaLog;
import io.catchment.log.kafka.KafkaPartitionLog;
import io.catchment.metrics.Metrics;
import io.catchment.schema.Router;
import io.catchment.sink.Sink;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaders of one process on a Kafka log. One thread holds this process's membership in the consumer group
 * ({@code kafka.group}); Kafka hands each member a share of the topic's partitions, and on each partition this process
 * runs a {@link Loader} that reads it (with a consumer of its own) from the offset the store has for it and writes the
 * store. The loaders share one {@link StoreTurn}: they prepare one batch at a time against the store's shared catalog
 * and write in that order, as one loader would. The group consumer only keeps the membership (its partitions stay paused) and copies the loaded offsets into
 * the group for Kafka's lag tools; the store's offsets stay the truth.
 *
 * <p>Rebalances: a partition taken away is let go only once its loader has finished the batch it was writing
 * ({@link Loader#close}), inside Kafka's revocation callback, so the next owner starts after the last write of the
 * previous one, from the offset that write stored. Deduplication covers whatever a crash replays.
 */
public final class KafkaLoaders implements Loading {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLoaders.class);

    private final KafkaLog log;
    private final Function<KafkaPartitionLog, Loader> newLoader;
    private final StoreTurn turn = new StoreTurn(); // the loaders share the store's catalog: one batch at a time
    private final Map<Integer, Running> running = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this::run, "kafka-group");
    private volatile boolean stop;
    private volatile String lastError;

    private record Running(KafkaPartitionLog partition, Loader loader) {}

    public KafkaLoaders(
            KafkaLog log,
            Sink sink,
            Metrics metrics,
            int batchEvents,
            Duration batchWait,
            int maxFields,
            int maxColumns,
            Router router,
            java.nio.file.Path quarantine) {
        this.log = log;
        this.newLoader = p -> new Loader(
                        p,
                        sink,
                        metrics,
                        batchEvents,
                        batchWait,
                        maxFields,
                        maxColumns,
                        router,
                        log.consumerName(p.partition()))
                .quarantineIn(quarantine)
                .sharing(turn);
    }

    @Override
    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> group = log.newConsumer(log.config().group())) {
            group.subscribe(List.of(log.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    for (TopicPartition tp : parts) stopLoader(tp.partition(), group);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> parts) {
                    onPartitionsRevoked(parts);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    group.pause(parts);
                    for (TopicPartition tp : parts) startLoader(tp.partition());
                }
            });
            while (!stop) {
                try {
                    group.poll(Duration.ofMillis(500)); // paused: only the membership, heartbeats and rebalances
                    for (Running r : running.values()) r.partition().commitToGroup(group);
                    lastError = null;
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    break;
                } catch (RuntimeException e) {
                    lastError = e.getMessage();
                    LOG.warn("Kafka consumer group {}: {}", log.config().group(), e.toString());
                    Loader.sleep(1000);
                }
            }
            for (Integer p : List.copyOf(running.keySet())) stopLoader(p, group);
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            LOG.error("Kafka consumer group stopped", e);
        }
    }

    private void startLoader(int partition) {
        if (running.containsKey(partition)) return;
        KafkaPartitionLog p = log.partition(partition);
        try {
            Loader loader = newLoader.apply(p);
            loader.start();
            running.put(partition, new Running(p, loader));
            LOG.info("Loading partition {} of {} from offset {}", partition, log.topic(), loader.position());
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            LOG.error("Cannot load partition {} of {}", partition, log.topic(), e);
            p.close();
        }
    }

    private void stopLoader(int partition, KafkaConsumer<?, ?> group) {
        Running r = running.remove(partition);
        if (r == null) return;
        r.loader().close(); // finishes the batch being written
        r.partition().commitToGroup(group);
        r.partition().close();
        LOG.info(
                "Let go of partition {} of {} at offset {}",
                partition,
                log.topic(),
                r.loader().position());
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("kafka_partitions", partitions());
    }

    /** Partitions this process loads now. */
    public List<Integer> partitions() {
        return running.keySet().stream().sorted().toList();
    }

    /** Records written to the partitions this process loads and not loaded yet. */
    @Override
    public long lag() {
        Map<Integer, Long> ends = log.endOffsets();
        long lag = 0;
        for (var e : running.entrySet())
            lag += Math.max(
                    0, ends.getOrDefault(e.getKey(), 0L) - e.getValue().loader().position());
        return lag;
    }

    /** Sum of the loaded positions of this process's partitions. */
    @Override
    public long position() {
        return running.values().stream().mapToLong(r -> r.loader().position()).sum();
    }

    /** The longest time any of this process's partition loaders has gone without progress ({@link Loader#sinceProgress}). */
    @Override
    public java.time.Duration sinceProgress() {
        java.time.Duration most = java.time.Duration.ZERO;
        for (Running r : running.values()) {
            java.time.Duration d = r.loader().sinceProgress();
            if (d.compareTo(most) > 0) most = d;
        }
        return most;
    }

    @Override
    public String lastError() {
        if (lastError != null) return lastError;
        for (Running r : running.values())
            if (r.loader().lastError() != null) return r.loader().lastError();
        return null;
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(90_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
