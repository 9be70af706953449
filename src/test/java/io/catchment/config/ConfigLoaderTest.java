package io.catchment.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults_then_file_then_environment_then_command_line() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "port: 9999\nlog:\n  retention: 2h\n  max_bytes: 2GB\nwrite_keys:\n  key-one-123: web\n");
        CatchmentConfig c = new ConfigLoader(Map.of("CATCHMENT_PORT", "7000", "CATCHMENT_ADMIN_KEY", "admin-key-123"))
                .load(f, Map.of("data_dir", "/tmp/x"));
        assertThat(c.server().port()).isEqualTo(7000);
        assertThat(c.log().retention()).isEqualTo(Duration.ofHours(2));
        assertThat(c.log().maxBytes()).isEqualTo(2L << 30);
        assertThat(c.keys().writeKeys()).containsEntry("key-one-123", "web");
        assertThat(c.keys().adminKey()).isEqualTo("admin-key-123");
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.server().maxRequestBytes()).isEqualTo(1 << 20);
    }

    @Test
    void write_keys_from_the_environment_with_and_without_sources() {
        CatchmentConfig c =
                new ConfigLoader(Map.of("CATCHMENT_WRITE_KEYS", "aaaaaaaa1, bbbbbbbb2=mobile")).load(null, Map.of());
        assertThat(c.keys().writeKeys()).containsEntry("aaaaaaaa1", "default").containsEntry("bbbbbbbb2", "mobile");
    }

    @Test
    void invalid_values_name_the_key_and_where_it_came_from() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_PORT", "eighty")).load(null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("port")
                .hasMessageContaining("CATCHMENT_PORT")
                .hasMessageContaining("eighty");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_LOG_RETENTION", "soon")).load(null, Map.of()))
                .hasMessageContaining("log.retention");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_WRITE_KEYS", "short")).load(null, Map.of()))
                .hasMessageContaining("write_keys");
        assertThatThrownBy(
                        () -> new ConfigLoader(Map.of("CATCHMENT_LIMITS_MAX_EVENT_BYTES", "2MB")).load(null, Map.of()))
                .hasMessageContaining("limits.max_event_bytes");
    }

    @Test
    void the_dedup_window_is_a_day_by_default_or_a_number_of_days() throws Exception {
        CatchmentConfig c = new ConfigLoader(Map.of()).load(null, Map.of());
        assertThat(c.duckdb().dedupWindowDays()).isEqualTo(1);
        assertThat(c.duckdb().dedupMemory()).isEqualTo(Runtime.getRuntime().maxMemory() / 3);
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "dedup:\n  window: 3d\n  memory: 64MB\n");
        c = new ConfigLoader(Map.of()).load(f, Map.of());
        assertThat(c.duckdb().dedupWindowDays()).isEqualTo(3);
        assertThat(c.duckdb().dedupMemory()).isEqualTo(64L << 20);
        c = new ConfigLoader(Map.of("CATCHMENT_DEDUP_WINDOW", "day", "CATCHMENT_DEDUP_MEMORY", "0")).load(f, Map.of());
        assertThat(c.duckdb().dedupWindowDays()).isEqualTo(1);
        assertThat(c.duckdb().dedupMemory()).isZero();
        for (String bad : new String[] {"week", "0d", "367d", "3"}) {
            assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_DEDUP_WINDOW", bad)).load(null, Map.of()))
                    .as(bad)
                    .hasMessageContaining("dedup.window")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void unknown_keys_in_the_file_are_refused() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "prot: 80\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(f, Map.of()))
                .hasMessageContaining("unknown key 'prot'");
    }

    @Test
    void missing_keys_are_generated_once_and_read_back() {
        StringBuilder announced = new StringBuilder();
        var empty = new CatchmentConfig.Keys(Map.of(), "");
        var first = KeyStore.resolve(empty, dir, announced::append);
        assertThat(announced.toString())
                .contains(first.adminKey())
                .contains(first.writeKeys().keySet().iterator().next());
        announced.setLength(0);
        var second = KeyStore.resolve(empty, dir, announced::append);
        assertThat(second).isEqualTo(first);
        assertThat(announced).isEmpty();
    }

    @Test
    void aFifoQueueIsRefusedWithTheReason() {
        for (String queue : new String[] {
            "catchment-events.fifo", "https://sqs.eu-west-1.amazonaws.com/123456789012/catchment-events.fifo"
        }) {
            assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_LOG_TYPE", "sqs", "CATCHMENT_SQS_QUEUE", queue))
                            .load(null, Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("invalid sqs.queue: " + queue + " is a FIFO queue; Catchment needs a standard queue (a "
                            + "message packs many users' events, so it has no one message group; the duplicate check "
                            + "and the event-time merge of users' traits make FIFO's deduplication and ordering "
                            + "unnecessary)");
        }
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_LOG_TYPE", "sqs"))
                        .load(null, Map.of("sqs.dead_letter_queue", "catchment-events-dlq.fifo")))
                .hasMessageStartingWith("invalid sqs.dead_letter_queue: catchment-events-dlq.fifo is a FIFO queue");
        // standard queues, and a .fifo name that another log type does not use
        for (String queue : new String[] {"catchment-events", "fifo", "events-fifo", "https://x/q/fifo"}) {
            assertThat(new ConfigLoader(Map.of("CATCHMENT_LOG_TYPE", "sqs", "CATCHMENT_SQS_QUEUE", queue))
                            .load(null, Map.of())
                            .sqs()
                            .queue())
                    .isEqualTo(queue);
        }
        assertThat(new ConfigLoader(Map.of("CATCHMENT_SQS_QUEUE", "x.fifo"))
                        .load(null, Map.of())
                        .sqs()
                        .queue())
                .isEqualTo("x.fifo");
    }

    @Test
    void theVisibilityTimeoutIsWholeSecondsWithinWhatSqsTakesAndTheLoaderCanExtend() {
        for (String v : new String[] {"2s", "13h", "1500ms"}) {
            assertThatThrownBy(
                            () -> new ConfigLoader(Map.of("CATCHMENT_SQS_VISIBILITY_TIMEOUT", v)).load(null, Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("invalid sqs.visibility_timeout (from ")
                    .hasMessageContaining(v + " is ");
        }
        assertThatThrownBy(
                        () -> new ConfigLoader(Map.of("CATCHMENT_SQS_VISIBILITY_TIMEOUT", "2s")).load(null, Map.of()))
                .hasMessageEndingWith("2s is outside 3s..43200s (SQS takes up to 12 hours; the loader extends it "
                        + "every third, at most once a second)");
        assertThat(new ConfigLoader(Map.of("CATCHMENT_SQS_VISIBILITY_TIMEOUT", "3s"))
                        .load(null, Map.of())
                        .sqs()
                        .visibilityTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theLingerIsAtMostWhatASenderGathersWhileABatchIsInFlight() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CATCHMENT_SQS_LINGER", "300ms")).load(null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(
                        "300ms is outside 0s..250ms (the longest a sender gathers while a batch is in " + "flight)");
        assertThat(new ConfigLoader(Map.of("CATCHMENT_SQS_LINGER", "100ms"))
                        .load(null, Map.of())
                        .sqs()
                        .linger())
                .isEqualTo(Duration.ofMillis(100));
        assertThat(new ConfigLoader(Map.of()).load(null, Map.of()).sqs().linger())
                .isZero();
    }
}
