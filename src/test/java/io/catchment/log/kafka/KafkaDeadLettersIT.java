package io.catchment.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.config.CatchmentConfig;
import io.catchment.deadletter.DeadLetter;
import io.catchment.deadletter.DeadLetterStore.Entry;
import io.catchment.deadletter.DeadLetterStore.Filter;
import io.catchment.testing.KafkaBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dead-letter topic as the dead-letter store: what one process writes, another reads back from the topic. */
@Timeout(120)
class KafkaDeadLettersIT {
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) broker.close();
    }

    private static KafkaLog log(String name) throws Exception {
        return new KafkaLog(new CatchmentConfig.Kafka(broker.bootstrap(), name, name + ".dlq", 2, 1, name, Map.of()));
    }

    private static DeadLetter letter(String id, String reason) {
        return new DeadLetter(id, "orders", reason, "{\"id\":\"" + id + "\",\"event\":\"Order\"}", 7);
    }

    @Test
    void dead_letters_are_kept_counted_replayed_and_purged_on_the_topic() throws Exception {
        Instant before = Instant.now();
        try (KafkaLog log = log("dl-a");
                KafkaDeadLetters a = new KafkaDeadLetters(log)) {
            a.add(List.of(letter("e1", "value too wide"), letter("e2", "too many fields")));
            a.add(List.of(letter("e1", "value too wide"))); // the same event fails again
            List<Entry> all = a.deadLetters(Filter.PENDING, 100);
            assertThat(all).extracting(Entry::eventId).containsExactlyInAnyOrder("e1", "e2");
            Entry e1 = all.stream()
                    .filter(e -> e.eventId().equals("e1"))
                    .findFirst()
                    .orElseThrow();
            assertThat(e1.attempts()).isEqualTo(2);
            assertThat(e1.firstFailedAt())
                    .isBeforeOrEqualTo(e1.lastFailedAt())
                    .isAfterOrEqualTo(before.minusSeconds(1));
            assertThat(e1.table()).isEqualTo("orders");
            assertThat(e1.logOffset()).isEqualTo(7);
            assertThat(e1.event()).isEqualTo("{\"id\":\"e1\",\"event\":\"Order\"}");
            assertThat(a.deadLetters(new Filter(List.of(), "FIELDS", null, false), 100))
                    .extracting(Entry::eventId)
                    .containsExactly("e2");
            assertThat(a.deadLetters(new Filter(List.of(), null, Instant.now().plusSeconds(60), false), 100))
                    .isEmpty();
            assertThat(a.markReplayed(List.of(e1.key()))).isEqualTo(1);
            assertThat(a.pendingDeadLetters()).isEqualTo(1);

            // a second process (another loader, or the admin API elsewhere) reads the same state from the topic
            try (KafkaDeadLetters b = new KafkaDeadLetters(log)) {
                assertThat(b.pendingDeadLetters()).isEqualTo(1);
                Entry replayed = b.deadLetters(new Filter(List.of(e1.key()), null, null, true), 10)
                        .get(0);
                assertThat(replayed.replayedAt()).isNotNull();
                assertThat(replayed.attempts()).isEqualTo(2);
                assertThat(b.purge(new Filter(List.of(), "fields", null, false)))
                        .isEqualTo(1);
            }
            assertThat(a.pendingDeadLetters()).isZero();
            assertThat(a.deadLetters(new Filter(List.of(), null, null, true), 10))
                    .extracting(Entry::eventId)
                    .containsExactly("e1");

            // the topic is readable by any Kafka tool: the latest record per key is the entry, a purge a tombstone
            Map<String, byte[]> latest = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = log.newConsumer(null)) {
                List<TopicPartition> tps =
                        List.of(new TopicPartition("dl-a.dlq", 0), new TopicPartition("dl-a.dlq", 1));
                c.assign(tps);
                c.seekToBeginning(tps);
                var end = c.endOffsets(tps);
                while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)))
                        latest.put(new String(r.key()), r.value());
                }
            }
            assertThat(latest)
                    .hasSize(2)
                    .containsEntry(
                            all.stream()
                                    .filter(e -> e.eventId().equals("e2"))
                                    .findFirst()
                                    .orElseThrow()
                                    .key(),
                            null);
            assertThat(new String(latest.get(e1.key())))
                    .contains("\"event_id\":\"e1\"", "\"attempts\":2", "\"replayed_at\":\"");
        }
    }
}
