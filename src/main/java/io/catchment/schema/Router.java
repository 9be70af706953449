package io.catchment.schema;

import io.catchment.event.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-event table layout: every event gives one row to {@code events} (envelope and {@code context_*}) and one
 * row to the table of its kind: track → the table named after the event, holding {@code properties_*}; identify →
 * {@code identifies} ({@code traits_*}); page → {@code pages}; screen → {@code screens}; group → {@code groups}
 * ({@code group_id}, {@code traits_*}); alias → {@code aliases} ({@code previous_id}). Stateless and thread-safe.
 */
public final class Router {
  public static final String EVENTS = "events";

  /** One row bound for one table. */
  public record Row(String table, List<Field> fields) {}

  private Router() {}

  public static void route(Event e, List<Row> out) {
    List<Field> envelope = envelope(e);
    List<Field> all = new ArrayList<>(envelope);
    all.addAll(Flattener.flatten("context", e.context()));
    if (e.groupId() != null) all.add(new Field("group_id", ColumnType.VARCHAR, e.groupId()));
    if (e.previousId() != null) all.add(new Field("previous_id", ColumnType.VARCHAR, e.previousId()));
    out.add(new Row(EVENTS, all));

    List<Field> own = new ArrayList<>(envelope);
    String table;
    switch (e.type()) {
      case "identify" -> {
        table = "identifies";
        own.addAll(Flattener.flatten("traits", e.traits()));
      }
      case "group" -> {
        table = "groups";
        if (e.groupId() != null) own.add(new Field("group_id", ColumnType.VARCHAR, e.groupId()));
        own.addAll(Flattener.flatten("traits", e.traits()));
      }
      case "alias" -> {
        table = "aliases";
        if (e.previousId() != null) own.add(new Field("previous_id", ColumnType.VARCHAR, e.previousId()));
      }
      case "page", "screen" -> {
        table = e.type() + "s";
        own.addAll(Flattener.flatten("properties", e.properties()));
      }
      default -> {
        table = Names.table(e.event());
        own.addAll(Flattener.flatten("properties", e.properties()));
      }
    }
    out.add(new Row(table, own));
  }

  private static List<Field> envelope(Event e) {
    List<Field> f = new ArrayList<>(12);
    str(f, "id", e.id());
    str(f, "type", e.type());
    str(f, "event", e.event());
    str(f, "user_id", e.userId());
    str(f, "anonymous_id", e.anonymousId());
    time(f, "timestamp", e.timestamp());
    time(f, "sent_at", e.sentAt());
    time(f, "received_at", e.receivedAt());
    str(f, "source", e.source());
    return f;
  }

  private static void str(List<Field> f, String name, String v) {
    if (v != null) f.add(new Field(name, ColumnType.VARCHAR, v));
  }

  private static void time(List<Field> f, String name, Instant v) {
    if (v != null) f.add(new Field(name, ColumnType.TIMESTAMP, new Field.TimeValue(v.toString(), v)));
  }
}
