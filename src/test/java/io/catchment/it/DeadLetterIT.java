package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A poisoned event in a good batch goes to dead letters; after a fix, a replay lands it exactly once. */
@Timeout(180)
class DeadLetterIT {
    @TempDir
    Path tmp;

    private static String poisoned() {
        StringBuilder b = new StringBuilder(
                "{\"id\":\"poison\",\"event\":\"Wide\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{");
        for (int i = 0; i < 40; i++)
            b.append(i > 0 ? "," : "").append("\"p").append(i).append("\":").append(i);
        return b.append("}}").toString();
    }

    private String cli(ServerProcess s, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "cli", ".log");
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = s.url("");
        Process p = ServerProcess.launch(Map.of("CATCHMENT_ADMIN_KEY", ServerProcess.ADMIN_KEY), out, all);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    private static long count(ServerProcess s, String sql) throws Exception {
        return Http.sql(s.url(""), ServerProcess.ADMIN_KEY, sql).get(0).get(0).asLong();
    }

    @Test
    void a_poisoned_event_is_set_aside_and_replayed_once_after_the_fix() throws Exception {
        Path data = tmp.resolve("data");
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            batch.append("{\"id\":\"good-")
                    .append(i)
                    .append("\",\"event\":\"Wide\",\"timestamp\":\"2024-05-01T10:00:00Z\",")
                    .append("\"properties\":{\"n\":")
                    .append(i)
                    .append("}}\n");
            if (i == 25) batch.append(poisoned()).append('\n');
        }
        try (ServerProcess s = new ServerProcess(data).start(Map.of("CATCHMENT_LIMITS_MAX_FIELDS_PER_EVENT", "30"))) {
            Http.Reply r = Http.post(s.url("/v1/events"), ServerProcess.WRITE_KEY, batch.toString());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("accepted").asInt()).isEqualTo(51);
            assertThat(Http.eventually(Duration.ofSeconds(10), () -> count(s, "SELECT count(*) FROM wide") == 50))
                    .isTrue();
            assertThat(Http.get(s.url("/v1/dlq")).status()).isEqualTo(401);
            Http.Reply listed = Http.get(s.url("/v1/dlq"), ServerProcess.ADMIN_KEY);
            assertThat(listed.status()).isEqualTo(200);
            JsonNode dlq = listed.json();
            assertThat(Http.post(s.url("/v1/dlq/replay"), ServerProcess.WRITE_KEY, "{\"all\":true}")
                            .status())
                    .isEqualTo(403);
            String list = cli(s, "dlq", "list");
            assertThat(list).contains("poison", "max_fields_per_event", "1 pending");
            JsonNode entries =
                    Http.sql(s.url(""), ServerProcess.ADMIN_KEY, "SELECT key, attempts, reason FROM _dead_letters");
            assertThat(entries).hasSize(1);
            String key = entries.get(0).get(0).asText();
            assertThat(cli(s, "dlq", "show", key)).contains("\"event_id\" : \"poison\"", "\"p39\"");
            assertThat(Http.get(s.url("/metrics")).body())
                    .contains("catchment_events_dead_lettered_total 1.0", "catchment_events_in_flight 0.0");
            assertThat(cli(s, "status"))
                    .contains("accepted 51", "loaded 50", "dead-lettered 1", "in flight 0", "dead letters pending: 1");
            assertThat(dlq.path("pending").asInt()).isEqualTo(1);
            assertThat(dlq.path("dead_letters").get(0).path("event_id").asText())
                    .isEqualTo("poison");
            assertThat(dlq.path("dead_letters").get(0).path("attempts").asInt()).isEqualTo(1);
        }
        // the fix: a higher limit
        try (ServerProcess s = new ServerProcess(data).start(Map.of("CATCHMENT_LIMITS_MAX_FIELDS_PER_EVENT", "100"))) {
            assertThat(cli(s, "dlq", "replay", "--all")).contains("replayed 1 events");
            assertThat(Http.eventually(Duration.ofSeconds(10), () -> count(s, "SELECT count(*) FROM wide") == 51))
                    .isTrue();
            // replaying again (by key, as replayed ones are only picked by key) changes nothing
            String key = Http.sql(s.url(""), ServerProcess.ADMIN_KEY, "SELECT key FROM _dead_letters")
                    .get(0)
                    .get(0)
                    .asText();
            assertThat(cli(s, "dlq", "replay", key)).contains("replayed 1 events");
            Http.caughtUp(s.url(""), ServerProcess.ADMIN_KEY, Duration.ofSeconds(10));
            assertThat(count(s, "SELECT count(*) FROM wide WHERE id = 'poison'"))
                    .isEqualTo(1);
            assertThat(count(s, "SELECT count(*) FROM wide")).isEqualTo(51);
            assertThat(count(s, "SELECT properties_p39 FROM wide WHERE id = 'poison'"))
                    .isEqualTo(39);
            assertThat(cli(s, "dlq", "list")).contains("0 pending");
            assertThat(cli(s, "dlq", "purge", "--all")).contains("purged 0");
            assertThat(cli(s, "dlq", "purge", key)).contains("purged 1");
        }
    }
}
