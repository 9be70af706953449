package io.catchment.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.Event;
import io.catchment.format.AmplitudeFormat;
import io.catchment.format.MixpanelFormat;
import io.catchment.format.NativeFormat;
import io.catchment.format.PostHogFormat;
import io.catchment.format.SegmentFormat;
import java.time.Instant;
import java.util.Locale;

/**
 * The export formats {@code catchment import} reads, each mapped by the same code as the live API of its vendor,
 * and detection from a line's keys.
 */
public enum ImportFormat {
  AMPLITUDE, MIXPANEL, SEGMENT, POSTHOG, NATIVE;

  public static ImportFormat parse(String s) {
    return s.equalsIgnoreCase("auto") ? null : valueOf(s.toUpperCase(Locale.ROOT));
  }

  /**
   * Tells a line's format by its keys: Amplitude export lines have {@code event_type} (with {@code $insert_id},
   * {@code amplitude_id} or {@code event_time}); Mixpanel's have {@code event} and {@code properties} with
   * {@code distinct_id} or {@code time}; PostHog's have {@code event} with {@code distinct_id} or {@code uuid};
   * Segment messages have {@code type} and {@code messageId}; anything else is native.
   */
  public static ImportFormat detect(JsonNode e) {
    if (e.has("event_type") && (e.has("$insert_id") || e.has("amplitude_id") || e.has("event_time")
        || e.has("insert_id") || e.has("time"))) {
      return AMPLITUDE;
    }
    JsonNode props = e.get("properties");
    if (e.has("event") && props != null && props.isObject() && (props.has("distinct_id") || props.has("time"))
        && !e.has("timestamp") && !e.has("uuid") && !e.has("type")) {
      return MIXPANEL;
    }
    if (e.has("event") && (e.has("distinct_id") || e.has("uuid")) && !e.has("type")) return POSTHOG;
    if (e.has("type") && e.has("messageId")) return SEGMENT;
    return NATIVE;
  }

  /** Maps one exported line to the canonical envelope. */
  public Event toEvent(ObjectNode e, int index, String source, Instant receivedAt) {
    return switch (this) {
      case AMPLITUDE -> AmplitudeFormat.toEvent(e, index, source, receivedAt);
      case MIXPANEL -> MixpanelFormat.toEvent(e, index, source, receivedAt);
      case POSTHOG -> PostHogFormat.toEvent(e, index, source, receivedAt, null);
      case SEGMENT -> SegmentFormat.toEvent(e, index, null, null, source, receivedAt);
      case NATIVE -> NativeFormat.toEvent(e, index, source, receivedAt);
    };
  }
}
