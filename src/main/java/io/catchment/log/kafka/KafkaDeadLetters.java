package io.catchment.log.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterQueue;
import io.catchment.event.EventJson;
import io.catchment.schema.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Dead letters on Kafka: the dead-letter topic ({@code kafka.dead_letter_topic}, compacted), one record per dead
 * letter keyed by its key (a hash of the event's canonical JSON, as in the stores' {@code _dead_letters}), its value
 * the entry as JSON; a replay writes the entry again with {@code replayed_at}, a purge writes a tombstone. Compaction
 * keeps the latest record per key, so the topic is the dead-letter table itself, shared by every process.
 *
 * <p>Each process reads the whole topic into memory and catches up with its end before answering (dead letters are
 * few: an event the store refused alone). Any Kafka tool can read the topic too: {@code kafka-console-consumer
 * --topic catchment.dead-letters --from-beginning --property print.key=true}.
 */
public final class KafkaDeadLetters implements DeadLetterQueue, AutoCloseable {
    private final KafkaLog log;
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<String, Entry> entries = new HashMap<>();

    public KafkaDeadLetters(KafkaLog log) {
        this.log = log;
        this.topic = log.config().deadLetterTopic();
        this.consumer = log.newConsumer(null);
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads the topic up to its end now, so an answer includes every write acknowledged before it. */
    private void catchUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("cannot read the dead-letter topic " + topic);
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    entries.remove(key);
                } else {
                    entries.put(key, decode(key, r.value()));
                }
            }
        }
    }

    @Override
    public synchronized void add(List<DeadLetter> letters) throws IOException {
        if (letters.isEmpty()) return;
        catchUp();
        Instant now = Instant.now();
        List<Entry> out = new ArrayList<>();
        for (DeadLetter d : letters) {
            String key = Names.hash(d.event()).substring(0, 24);
            Entry was = entries.get(key);
            out.add(new Entry(
                    key,
                    d.eventId(),
                    d.table(),
                    d.reason(),
                    was == null ? 1 : was.attempts() + 1,
                    was == null ? now : was.firstFailedAt(),
                    now,
                    null,
                    d.logOffset(),
                    d.event()));
        }
        send(out);
    }

    @Override
    public synchronized List<Entry> deadLetters(Filter f, int limit) {
        catchUp();
        String reason = f.reason() == null ? null : f.reason().toLowerCase(Locale.ROOT);
        return entries.values().stream()
                .filter(e -> f.includeReplayed() || e.replayedAt() == null)
                .filter(e -> f.keys().isEmpty() || f.keys().contains(e.key()))
                .filter(e -> reason == null
                        || e.reason() != null
                                && e.reason().toLowerCase(Locale.ROOT).contains(reason))
                .filter(e -> f.since() == null || !e.lastFailedAt().isBefore(f.since()))
                .filter(e -> f.before() == null || e.lastFailedAt().isBefore(f.before()))
                .sorted(Comparator.comparing(Entry::firstFailedAt).thenComparing(Entry::key))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized int markReplayed(List<String> keys) {
        if (keys.isEmpty()) return 0;
        Instant now = Instant.now();
        List<Entry> out = new ArrayList<>();
        for (Entry e : deadLetters(new Filter(keys, null, null, true), Integer.MAX_VALUE)) {
            out.add(new Entry(
                    e.key(),
                    e.eventId(),
                    e.table(),
                    e.reason(),
                    e.attempts(),
                    e.firstFailedAt(),
                    e.lastFailedAt(),
                    now,
                    e.logOffset(),
                    e.event()));
        }
        sendUnchecked(out, false);
        return out.size();
    }

    @Override
    public synchronized int purge(Filter f) {
        List<Entry> gone = deadLetters(f, Integer.MAX_VALUE);
        sendUnchecked(gone, true);
        return gone.size();
    }

    @Override
    public synchronized long pendingDeadLetters() {
        catchUp();
        return entries.values().stream().filter(e -> e.replayedAt() == null).count();
    }

    private void sendUnchecked(List<Entry> out, boolean tombstones) {
        try {
            send(out, tombstones);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void send(List<Entry> out) throws IOException {
        send(out, false);
    }

    /** Produces the entries, or their tombstones (acks=all), waits for every acknowledgement, then takes them as read. */
    private void send(List<Entry> out, boolean tombstones) throws IOException {
        List<Future<?>> acks = new ArrayList<>();
        for (Entry e : out)
            acks.add(log.sendAsync(new ProducerRecord<>(topic, e.key(), tombstones ? null : encode(e))));
        log.await(acks);
        for (Entry e : out) {
            if (tombstones) {
                entries.remove(e.key());
            } else {
                entries.put(e.key(), e);
            }
        }
    }

    static byte[] encode(Entry e) {
        ObjectNode n = EventJson.MAPPER.createObjectNode();
        n.put("key", e.key());
        n.put("event_id", e.eventId());
        n.put("table", e.table());
        n.put("reason", e.reason());
        n.put("attempts", e.attempts());
        n.put("first_failed_at", e.firstFailedAt().toString());
        n.put("last_failed_at", e.lastFailedAt().toString());
        n.put("replayed_at", e.replayedAt() == null ? null : e.replayedAt().toString());
        n.put("log_offset", e.logOffset());
        n.put("event", e.event());
        try {
            return EventJson.MAPPER.writeValueAsBytes(n);
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
    }

    static Entry decode(String key, byte[] value) {
        try {
            JsonNode n = EventJson.MAPPER.readTree(value);
            Instant first = time(n, "first_failed_at");
            Instant last = time(n, "last_failed_at");
            return new Entry(
                    key,
                    text(n, "event_id"),
                    text(n, "table"),
                    text(n, "reason"),
                    n.path("attempts").asInt(1),
                    first != null ? first : Instant.EPOCH,
                    last != null ? last : first != null ? first : Instant.EPOCH,
                    time(n, "replayed_at"),
                    n.path("log_offset").asLong(),
                    text(n, "event"));
        } catch (IOException | RuntimeException e) {
            // not ours (someone produced to the topic): kept visible rather than dropped
            Instant now = Instant.now();
            return new Entry(
                    key,
                    null,
                    null,
                    "unreadable dead-letter record: " + e.getMessage(),
                    1,
                    now,
                    now,
                    null,
                    -1,
                    new String(value, StandardCharsets.UTF_8));
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant time(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
