package io.catchment.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NativeFormatTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private static NativeFormat.Parsed split(String body) {
        return NativeFormat.split(body.getBytes(StandardCharsets.UTF_8), 32 * 1024);
    }

    @Test
    void accepts_an_object_an_array_and_ndjson() {
        assertThat(split("{\"event\":\"a\"}").events()).hasSize(1);
        assertThat(split("[{\"event\":\"a\"},{\"event\":\"b\"}]").events()).hasSize(2);
        assertThat(split("{\"event\":\"a\"}\n{\"event\":\"b\"}\n\n{\"event\":\"c\"}\n")
                        .events())
                .hasSize(3);
    }

    @Test
    void rejects_bad_bodies_naming_the_event() {
        assertThatThrownBy(() -> split("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> split("[{\"event\":\"a\"}, 3]"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("event 1 is not a JSON object");
        assertThatThrownBy(() -> split("{\"event\":\"a\"}\n{\"event\":"))
                .hasMessageContaining("malformed JSON in event 1");
        assertThatThrownBy(() ->
                        NativeFormat.split(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'}, 1000))
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> split("{\"event\":\"" + "x".repeat(40_000) + "\"}"))
                .hasMessageContaining("over the limit");
    }

    @Test
    void a_number_of_over_1000_digits_or_nesting_over_1000_deep_is_invalid_naming_the_field() {
        assertThatThrownBy(() ->
                        split("{\"event\":\"a\"}\n{\"event\":\"b\",\"properties\":{\"n\":" + "9".repeat(1001) + "}}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage(
                        "event 1: field /properties/n: number value length (1001) exceeds the maximum allowed (1000)")
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("/properties/n"));
        assertThatThrownBy(() -> split("{\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}"))
                .hasMessageContaining("event 0: field /x/0/0")
                .hasMessageContaining("nesting depth (1001)");
    }

    @Test
    void normalises_camel_and_snake_case_and_keeps_unknown_keys_as_properties() {
        ObjectNode raw = split("{\"messageId\":\"m1\",\"event\":\"Signed Up\",\"userId\":42,\"anonymous_id\":\"a\","
                        + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"plan\":\"pro\",\"properties\":{\"x\":1}}")
                .events()
                .get(0);
        Event e = NativeFormat.toEvent(raw, 0, "web", NOW);
        assertThat(e.id()).isEqualTo("m1");
        assertThat(e.type()).isEqualTo("track");
        assertThat(e.userId()).isEqualTo("42");
        assertThat(e.anonymousId()).isEqualTo("a");
        assertThat(e.source()).isEqualTo("web");
        assertThat(e.receivedAt()).isEqualTo(NOW);
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(e.properties().get("plan").asText()).isEqualTo("pro");
        assertThat(e.properties().get("x").asInt()).isEqualTo(1);
    }

    @Test
    void corrects_clock_skew_from_sent_at() {
        ObjectNode raw = split(
                        "{\"event\":\"a\",\"timestamp\":\"2024-05-01T09:00:00Z\",\"sentAt\":\"2024-05-01T09:00:10Z\"}")
                .events()
                .get(0);
        assertThat(NativeFormat.toEvent(raw, 0, "s", NOW).timestamp()).isEqualTo(Instant.parse("2024-05-01T11:59:50Z"));
    }

    @Test
    void epoch_times_in_seconds_and_milliseconds() {
        ObjectNode s =
                split("{\"event\":\"a\",\"timestamp\":1714557600}").events().get(0);
        ObjectNode ms =
                split("{\"event\":\"a\",\"timestamp\":1714557600123}").events().get(0);
        assertThat(NativeFormat.toEvent(s, 0, "s", NOW).timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(NativeFormat.toEvent(ms, 0, "s", NOW).timestamp())
                .isEqualTo(Instant.parse("2024-05-01T10:00:00.123Z"));
    }

    @Test
    void identical_events_without_id_or_timestamp_stay_distinct() {
        ObjectNode a = split("{\"event\":\"click\"}").events().get(0);
        assertThat(NativeFormat.toEvent(a, 0, "s", NOW).id())
                .isNotEqualTo(NativeFormat.toEvent(a, 0, "s", NOW.plusMillis(1)).id());
    }

    @Test
    void the_same_event_without_an_id_gets_the_same_content_hash() {
        ObjectNode a = split("{\"event\":\"a\",\"timestamp\":\"2024-05-01T09:00:00Z\"}")
                .events()
                .get(0);
        ObjectNode b = split("{\"event\":\"a\",\"timestamp\":\"2024-05-01T09:00:00Z\"}")
                .events()
                .get(0);
        ObjectNode c = split("{\"event\":\"b\",\"timestamp\":\"2024-05-01T09:00:00Z\"}")
                .events()
                .get(0);
        assertThat(NativeFormat.toEvent(a, 0, "s", NOW).id())
                .isEqualTo(NativeFormat.toEvent(b, 0, "s", NOW.plusSeconds(5)).id())
                .isNotEqualTo(NativeFormat.toEvent(c, 0, "s", NOW).id())
                .hasSize(32);
    }

    @Test
    void invalid_fields_are_named() {
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"type\":\"track\"}").events().get(0), 3, "s", NOW))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("event 3")
                .hasMessageContaining("\"event\" name");
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"event\":\"a\",\"timestamp\":\"yesterday\"}")
                                .events()
                                .get(0),
                        0,
                        "s",
                        NOW))
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("timestamp"));
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"event\":\"a\",\"properties\":[1]}").events().get(0), 0, "s", NOW))
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("properties"));
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"type\":\"purchase\"}").events().get(0), 0, "s", NOW))
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("type"));
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"event\":\"a\",\"userId\":{\"x\":1}}").events().get(0), 0, "s", NOW))
                .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("user_id"));
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"event\":\"a\",\"timestamp\":\"10000-01-01T00:00:00Z\"}")
                                .events()
                                .get(0),
                        0,
                        "s",
                        NOW))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> NativeFormat.toEvent(
                        split("{\"event\":\"a\",\"timestamp\":\"9999-01-01T00:00:00Z\","
                                        + "\"sent_at\":\"2000-01-01T00:00:00Z\"}")
                                .events()
                                .get(0),
                        0,
                        "s",
                        NOW))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("clock-skew");
    }
}
