package io.catchment.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-event table layout, applied to canonical event JSON as stored in the log (see {@link EventJson}). Every
 * event gives one row to {@code events} (envelope, {@code group_id}, {@code previous_id} and {@code context_*}) and one
 * row to the table of its kind, holding the envelope plus {@code properties_*} and {@code traits_*}: track → the
 * table named after the event ({@link Names#table}); identify → {@code identifies}; page → {@code pages}; screen →
 * {@code screens}; group → {@code groups} (with {@code group_id}); alias → {@code aliases} (with
 * {@code previous_id}). Reads the JSON in one streaming pass. Not thread-safe (it caches names): one per loader.
 */
public final class Router {
  public static final String EVENTS = "events";

  /**
   * One row bound for one table; {@code eventId} names the event (dedup key, and in schema-change records) and
   * {@code timestamp} is its event time as canonical ISO-8601 text.
   */
  public record Row(String table, List<Field> fields, String eventId, String timestamp) {}

  private final Flattener flattener = new Flattener();

  /** Routes one canonical event, appending its two rows to {@code out}. */
  public void route(byte[] buf, int off, int len, List<Row> out) throws IOException {
    List<Field> envelope = new ArrayList<>(12);
    List<Field> own = new ArrayList<>(32);
    List<Field> context = new ArrayList<>(24);
    String id = null, type = "track", event = null, groupId = null, previousId = null, timestamp = null;
    try (JsonParser p = EventJson.MAPPER.getFactory().createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("canonical event is not an object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        JsonToken t = p.nextToken();
        switch (k) {
          case "properties" -> flattener.flatten(p, buf, off, "properties", own);
          case "traits" -> flattener.flatten(p, buf, off, "traits", own);
          case "context" -> flattener.flatten(p, buf, off, "context", context);
          case "timestamp", "sent_at", "received_at" -> {
            // canonical times are already ISO-8601 UTC (Instant.toString): the text is the value
            String text = p.getText();
            envelope.add(new Field(k, ColumnType.TIMESTAMP, new Field.TimeValue(text, null)));
            if (k.equals("timestamp")) timestamp = text;
          }
          case "group_id" -> groupId = p.getText();
          case "previous_id" -> previousId = p.getText();
          default -> {
            if (t.isStructStart()) {
              p.skipChildren();
              continue;
            }
            String v = p.getText();
            envelope.add(new Field(k, ColumnType.VARCHAR, v));
            if (k.equals("id")) id = v;
            if (k.equals("type")) type = v;
            if (k.equals("event")) event = v;
          }
        }
      }
    }
    List<Field> all = new ArrayList<>(envelope.size() + context.size() + 2);
    all.addAll(envelope);
    if (groupId != null) all.add(new Field("group_id", ColumnType.VARCHAR, groupId));
    if (previousId != null) all.add(new Field("previous_id", ColumnType.VARCHAR, previousId));
    all.addAll(context);
    out.add(new Row(EVENTS, all, id, timestamp));

    String table = switch (type) {
      case "identify" -> "identifies";
      case "group" -> "groups";
      case "alias" -> "aliases";
      case "page" -> "pages";
      case "screen" -> "screens";
      default -> Names.table(event);
    };
    if (type.equals("group") && groupId != null) envelope.add(new Field("group_id", ColumnType.VARCHAR, groupId));
    if (type.equals("alias") && previousId != null) envelope.add(new Field("previous_id", ColumnType.VARCHAR, previousId));
    envelope.addAll(own);
    out.add(new Row(table, envelope, id, timestamp));
  }
}
