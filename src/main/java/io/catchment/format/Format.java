package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A wire or export format: one event as the format writes it on its own (an export line, a message outside any
 * batch) to the canonical {@link Event}, and whether a line's keys are the format's. The five formats are the
 * constants below, mapped by the same code as each vendor's live API; the API routes call the richer entry points of
 * each format class (a Segment batch's shared context, PostHog's {@code sent_at}). Stateless and thread-safe.
 */
public interface Format {
    /** Its name on the command line ({@code --format amplitude}). */
    String name();

    /** Whether {@code e}'s keys are this format's; {@link #detect} asks the formats in the order of {@link #ALL}. */
    boolean looksLike(JsonNode e);

    /** Maps one event; {@code index} is its place in the request or file, for messages; {@code e} may be changed. */
    Event toEvent(ObjectNode e, int index, String source, Instant receivedAt);

    /** Amplitude export lines: {@code event_type} with {@code $insert_id}, {@code amplitude_id} or {@code event_time}. */
    Format AMPLITUDE = of(
            "amplitude",
            e -> e.has("event_type")
                    && (e.has("$insert_id")
                            || e.has("amplitude_id")
                            || e.has("event_time")
                            || e.has("insert_id")
                            || e.has("time")),
            AmplitudeFormat::toEvent);

    /** Mixpanel: {@code event} and {@code properties} with {@code distinct_id} or {@code time}, none of PostHog's keys. */
    Format MIXPANEL = of(
            "mixpanel",
            e -> {
                JsonNode props = e.get("properties");
                return e.has("event")
                        && props != null
                        && props.isObject()
                        && (props.has("distinct_id") || props.has("time"))
                        && !e.has("timestamp")
                        && !e.has("uuid")
                        && !e.has("type");
            },
            MixpanelFormat::toEvent);

    /** PostHog: {@code event} with {@code distinct_id} or {@code uuid}. */
    Format POSTHOG = of(
            "posthog",
            e -> e.has("event") && (e.has("distinct_id") || e.has("uuid")) && !e.has("type"),
            (e, index, source, receivedAt) -> PostHogFormat.toEvent(e, index, source, receivedAt, null));

    /** Segment messages: {@code type} and {@code messageId}. */
    Format SEGMENT = of(
            "segment",
            e -> e.has("type") && e.has("messageId"),
            (e, index, source, receivedAt) -> SegmentFormat.toEvent(e, index, null, null, source, receivedAt));

    /** Catchment's own envelope; anything no other format claims. */
    Format NATIVE = of("native", e -> true, NativeFormat::toEvent);

    /** Every format, in the order {@link #detect} asks them. */
    List<Format> ALL = List.of(AMPLITUDE, MIXPANEL, POSTHOG, SEGMENT, NATIVE);

    /** The format a line's keys tell. */
    static Format detect(JsonNode e) {
        for (Format f : ALL) {
            if (f.looksLike(e)) return f;
        }
        return NATIVE;
    }

    /** The format of this name, or null for {@code auto} (detected per line). */
    static Format named(String name) {
        if (name.equalsIgnoreCase("auto")) return null;
        for (Format f : ALL) {
            if (f.name().equals(name.toLowerCase(Locale.ROOT))) return f;
        }
        throw new IllegalArgumentException(
                "unknown format " + name + " (auto, amplitude, mixpanel, segment, posthog, native)");
    }

    /** Maps one event of a format. */
    @FunctionalInterface
    interface Mapper {
        Event toEvent(ObjectNode e, int index, String source, Instant receivedAt);
    }

    private static Format of(String name, Predicate<JsonNode> looksLike, Mapper mapper) {
        return new Format() {
            public String name() {
                return name;
            }

            public boolean looksLike(JsonNode e) {
                return looksLike.test(e);
            }

            public Event toEvent(ObjectNode e, int index, String source, Instant receivedAt) {
                return mapper.toEvent(e, index, source, receivedAt);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
