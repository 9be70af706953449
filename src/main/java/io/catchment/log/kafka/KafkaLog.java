package io.catchment.log.kafka;

import io.catchment.config.CatchmentConfig;
import io.catchment.log.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-out {@link EventLog}: a Kafka topic. The collector side: {@link #append} produces with {@code acks=all},
 * the idempotent producer and lz4 compression, and returns only once Kafka has the record (so a client's 2xx means the
 * brokers have it); the record's key is the user, so one user's events stay in one partition, in order. The loader
 * side is per partition ({@link #partition}): {@link KafkaLoaders} joins the consumer group and runs a loader on
 * each partition it is given.
 *
 * <p>As a whole-topic {@link EventLog}, offsets are those of partition 0 (the contract suite runs on a one-partition
 * topic); use {@link #partition} for the others. Creates its topics when missing.
 */
public final class KafkaLog implements EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLog.class);

    private final CatchmentConfig.Kafka config;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final int partitions;
    private final KafkaPartitionLog first;
    private volatile boolean healthy = true;

    public KafkaLog(CatchmentConfig.Kafka config) throws IOException {
        this.config = config;
        this.admin = Admin.create(common(config));
        try {
            ensureTopic(config.topic(), Map.of());
            ensureTopic(config.deadLetterTopic(), Map.of("cleanup.policy", "compact"));
            this.partitions = admin.describeTopics(List.of(config.topic()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(config.topic())
                    .partitions()
                    .size();
        } catch (ExecutionException | TimeoutException e) {
            admin.close();
            throw new IOException("cannot reach Kafka at " + config.bootstrapServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            admin.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Properties p = common(config);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 << 10));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES + (1 << 20)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        config.properties().forEach(p::put);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        first = partition(0);
        LOG.info(
                "Kafka log: topic {} ({} partitions), dead letters {}, brokers {}",
                config.topic(),
                partitions,
                config.deadLetterTopic(),
                config.bootstrapServers());
    }

    /** Client properties every Kafka client of Catchment shares: brokers and the user's pass-through properties. */
    static Properties common(CatchmentConfig.Kafka config) {
        Properties p = new Properties();
        p.put("bootstrap.servers", config.bootstrapServers());
        p.put("client.id", "catchment");
        config.properties().forEach(p::put);
        return p;
    }

    private void ensureTopic(String topic, Map<String, String> configs)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, config.partitions(), (short) config.replicationFactor())
                            .configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            LOG.info(
                    "Created Kafka topic {} ({} partitions, replication {})",
                    topic,
                    config.partitions(),
                    config.replicationFactor());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    public int partitions() {
        return partitions;
    }

    public String topic() {
        return config.topic();
    }

    public CatchmentConfig.Kafka config() {
        return config;
    }

    /** One partition as an {@link EventLog} of its own (reading with a consumer of its own, outside any group). */
    public KafkaPartitionLog partition(int p) {
        return new KafkaPartitionLog(this, p);
    }

    /** The name the store keeps a partition's loaded offset under. */
    public String consumerName(int p) {
        return "kafka:" + config.topic() + ":" + p;
    }

    public KafkaConsumer<byte[], byte[]> newConsumer(String groupId) {
        Properties p = common(config);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES + (1 << 20)));
        if (groupId != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public long append(byte[] record) throws IOException {
        return send(new ProducerRecord<>(config.topic(), 0, null, record));
    }

    @Override
    public long append(String key, byte[] record) throws IOException {
        return send(new ProducerRecord<>(config.topic(), key, record));
    }

    long send(ProducerRecord<String, byte[]> r) throws IOException {
        java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> ack;
        try {
            ack = producer.send(r);
        } catch (org.apache.kafka.common.KafkaException e) {
            healthy = false;
            throw new IOException("Kafka did not take the record: " + e.getMessage(), e);
        }
        await(List.of(ack));
        return get(ack).offset();
    }

    /** Produces without waiting; {@link #await} the result. */
    java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> sendAsync(
            ProducerRecord<String, byte[]> r) {
        return producer.send(r);
    }

    /** Waits for Kafka to acknowledge every record; the first refusal is thrown. */
    void await(List<? extends java.util.concurrent.Future<?>> acks) throws IOException {
        try {
            for (var ack : acks) ack.get();
            healthy = true;
        } catch (ExecutionException e) {
            healthy = false;
            throw new IOException(
                    "Kafka did not take the record: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while Kafka took the record", e);
        } catch (org.apache.kafka.common.KafkaException e) {
            healthy = false;
            throw new IOException("Kafka did not take the record: " + e.getMessage(), e);
        }
    }

    private static org.apache.kafka.clients.producer.RecordMetadata get(
            java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> done) {
        try {
            return done.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e); // done and succeeded: await checked it
        }
    }

    /** End offsets of every partition (what the producers wrote), for the lag. */
    public Map<Integer, Long> endOffsets() {
        Map<Integer, Long> out = new HashMap<>();
        try {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(config.topic(), i));
            var latest = admin.listOffsets(tps.stream()
                            .collect(java.util.stream.Collectors.toMap(
                                    t -> t, t -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            latest.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            healthy = true;
        } catch (Exception e) {
            healthy = false;
            LOG.debug("cannot read Kafka end offsets", e);
        }
        return out;
    }

    @Override
    public List<LogRecord> read(long from, int max, Duration wait) throws IOException, InterruptedException {
        return first.read(from, max, wait);
    }

    @Override
    public void commit(long next) throws IOException {
        first.commit(next);
    }

    @Override
    public long committedOffset() {
        return first.committedOffset();
    }

    /** Sum of the partitions' end offsets: records ever written to the topic (for the metrics). */
    @Override
    public long endOffset() {
        return endOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public long startOffset() {
        return first.startOffset();
    }

    /** Kafka keeps the bytes; Catchment holds none locally. */
    @Override
    public long sizeBytes() {
        return 0;
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        first.close();
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(5));
    }
}
