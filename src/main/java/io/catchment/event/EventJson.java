package io.catchment.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The canonical JSON form of an {@link Event}, as it is stored in the log: one compact object per event with
 * snake_case envelope keys, timestamps as ISO-8601 UTC strings, absent fields omitted. Thread-safe.
 */
public final class EventJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private EventJson() {}

  public static void write(Event e, OutputStream out) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      str(g, "id", e.id());
      str(g, "type", e.type());
      str(g, "event", e.event());
      str(g, "user_id", e.userId());
      str(g, "anonymous_id", e.anonymousId());
      str(g, "group_id", e.groupId());
      str(g, "previous_id", e.previousId());
      time(g, "timestamp", e.timestamp());
      time(g, "sent_at", e.sentAt());
      time(g, "received_at", e.receivedAt());
      str(g, "source", e.source());
      obj(g, "properties", e.properties());
      obj(g, "traits", e.traits());
      obj(g, "context", e.context());
      g.writeEndObject();
    }
  }

  public static byte[] toBytes(Event e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try {
      write(e, out);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /** Reads one canonical event; the inverse of {@link #write}. */
  public static Event read(byte[] bytes, int offset, int length) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
      return read(p);
    }
  }

  public static Event read(JsonParser p) throws IOException {
    if (p.currentToken() == null) p.nextToken();
    if (p.currentToken() != JsonToken.START_OBJECT) throw new IOException("canonical event is not an object");
    String id = null, type = null, event = null, userId = null, anonymousId = null, groupId = null, previousId = null;
    String source = null;
    Instant timestamp = null, sentAt = null, receivedAt = null;
    ObjectNode properties = null, traits = null, context = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "id" -> id = p.getText();
        case "type" -> type = p.getText();
        case "event" -> event = p.getText();
        case "user_id" -> userId = p.getText();
        case "anonymous_id" -> anonymousId = p.getText();
        case "group_id" -> groupId = p.getText();
        case "previous_id" -> previousId = p.getText();
        case "timestamp" -> timestamp = Instant.parse(p.getText());
        case "sent_at" -> sentAt = Instant.parse(p.getText());
        case "received_at" -> receivedAt = Instant.parse(p.getText());
        case "source" -> source = p.getText();
        case "properties" -> properties = MAPPER.readTree(p);
        case "traits" -> traits = MAPPER.readTree(p);
        case "context" -> context = MAPPER.readTree(p);
        default -> p.skipChildren();
      }
    }
    return new Event(id, type, event, userId, anonymousId, groupId, previousId, timestamp, sentAt, receivedAt, source,
        properties, traits, context);
  }

  private static void str(JsonGenerator g, String k, String v) throws IOException {
    if (v != null) g.writeStringField(k, v);
  }

  private static void time(JsonGenerator g, String k, Instant v) throws IOException {
    if (v != null) g.writeStringField(k, v.toString());
  }

  private static void obj(JsonGenerator g, String k, ObjectNode v) throws IOException {
    if (v != null && !v.isEmpty()) {
      g.writeFieldName(k);
      MAPPER.writeTree(g, v);
    }
  }
}
