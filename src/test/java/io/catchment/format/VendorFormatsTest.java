package io.catchment.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import io.catchment.event.EventJson;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One mapping per vendor into the canonical envelope. */
class VendorFormatsTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    static ObjectNode json(String s) throws Exception {
        return (ObjectNode) EventJson.MAPPER.readTree(s);
    }

    @Test
    void amplitude_live_and_export_lines() throws Exception {
        Event live = AmplitudeFormat.toEvent(
                json("{\"event_type\":\"Play\",\"user_id\":\"user-1\",\"device_id\":\"dev-1\","
                        + "\"time\":1700000000123,\"insert_id\":\"i1\",\"event_properties\":{\"song\":\"x\"},\"platform\":\"iOS\","
                        + "\"user_properties\":{\"$set\":{\"plan\":\"pro\"},\"$setOnce\":{\"first\":\"a\"},\"$unset\":{\"old\":\"-\"},"
                        + "\"$add\":{\"plays\":1},\"city\":\"Paris\"}}"),
                0,
                "amp",
                NOW);
        assertThat(live.id()).isEqualTo("i1");
        assertThat(live.timestamp()).isEqualTo(Instant.parse("2023-11-14T22:13:20.123Z"));
        assertThat(live.anonymousId()).isEqualTo("dev-1");
        assertThat(live.context().get("platform").asText()).isEqualTo("iOS");
        assertThat(live.traits().toString())
                .isEqualTo("{\"plan\":\"pro\",\"$set_once\":{\"first\":\"a\"},"
                        + "\"$unset\":[\"old\"],\"$add\":{\"plays\":1},\"city\":\"Paris\"}");
        Event export = AmplitudeFormat.toEvent(
                json("{\"$insert_id\":\"x9\",\"event_type\":\"$identify\",\"user_id\":\"u\","
                        + "\"event_time\":\"2023-01-02 03:04:05.678901\",\"uuid\":\"uu\",\"amplitude_id\":123}"),
                0,
                "amp",
                NOW);
        assertThat(export.type()).isEqualTo("identify");
        assertThat(export.id()).isEqualTo("x9");
        assertThat(export.timestamp()).isEqualTo(Instant.parse("2023-01-02T03:04:05.678901Z"));
        assertThat(AmplitudeFormat.validate(json("{\"event_type\":\"a\",\"user_id\":\"n/a\"}"), 3, 5))
                .extracting(AmplitudeFormat.Problem::field)
                .containsExactly("user_id");
    }

    @Test
    void mixpanel_seconds_or_milliseconds_and_device_ids() throws Exception {
        Event s = MixpanelFormat.toEvent(
                json("{\"event\":\"e\",\"properties\":{\"time\":1700000000,\"distinct_id\":\"u\","
                        + "\"token\":\"secret\",\"$insert_id\":\"i\",\"plan\":\"pro\"}}"),
                0,
                "mp",
                NOW);
        assertThat(s.timestamp()).isEqualTo(Instant.parse("2023-11-14T22:13:20Z"));
        assertThat(s.userId()).isEqualTo("u");
        assertThat(s.properties().has("token")).isFalse();
        assertThat(s.properties().get("plan").asText()).isEqualTo("pro");
        Event ms = MixpanelFormat.toEvent(
                json("{\"event\":\"e\",\"properties\":{\"time\":1700000000123," + "\"distinct_id\":\"$device:d1\"}}"),
                0,
                "mp",
                NOW);
        assertThat(ms.timestamp()).isEqualTo(Instant.parse("2023-11-14T22:13:20.123Z"));
        assertThat(ms.anonymousId()).isEqualTo("d1");
        assertThat(ms.userId()).isNull();
        Event engage = MixpanelFormat.engage(
                json("{\"$token\":\"t\",\"$distinct_id\":\"u\",\"$time\":1700000000000,"
                        + "\"$set\":{\"a\":1},\"$set_once\":{\"b\":2},\"$unset\":[\"c\"],\"$ip\":\"1.2.3.4\"}"),
                0,
                "mp",
                NOW);
        assertThat(engage.type()).isEqualTo("identify");
        assertThat(engage.traits().toString()).isEqualTo("{\"a\":1,\"$set_once\":{\"b\":2},\"$unset\":[\"c\"]}");
        assertThat(engage.context().get("ip").asText()).isEqualTo("1.2.3.4");
    }

    @Test
    void posthog_skew_correction_and_identity() throws Exception {
        Event e = PostHogFormat.toEvent(
                json(
                        "{\"event\":\"$identify\",\"distinct_id\":\"u\",\"uuid\":\"id1\","
                                + "\"timestamp\":\"2026-11-22T11:59:00Z\",\"$lib\":\"x\",\"properties\":{\"$set\":{\"a\":1},\"token\":\"t\"}}"),
                0,
                "ph",
                NOW,
                Instant.parse("2026-11-22T12:00:30Z"));
        assertThat(e.type()).isEqualTo("identify");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-11-22T11:58:30Z"));
        assertThat(e.traits().toString()).isEqualTo("{\"a\":1}");
        assertThat(e.properties().toString()).isEqualTo("{\"$lib\":\"x\"}");
        assertThatThrownBy(() -> PostHogFormat.toEvent(json("{\"event\":\"x\"}"), 4, "ph", NOW, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("event 4: distinct_id");
    }

    @Test
    void segment_batch_context_merges_under_the_message() throws Exception {
        Event e = SegmentFormat.toEvent(
                json("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"context\":{\"ip\":\"1\"},"
                        + "\"integrations\":{\"All\":false},\"timestamp\":\"2026-11-22T11:00:00Z\"}"),
                0,
                null,
                json("{\"context\":{\"ip\":\"2\",\"library\":{\"name\":\"l\"}},\"sentAt\":\"2026-11-22T11:00:10Z\"}"),
                "seg",
                NOW);
        assertThat(e.context().toString())
                .isEqualTo("{\"ip\":\"1\",\"library\":{\"name\":\"l\"},\"integrations\":{\"All\":false}}");
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-11-22T11:59:50Z"));
    }
}
