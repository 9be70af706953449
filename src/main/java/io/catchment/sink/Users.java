package io.catchment.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.format.Identity;
import java.io.IOException;
import java.sql.Connection;
import java.time.Instant;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps {@code users} (one row per user: latest traits as JSON) in step with user-property operations, inside the
 * batch's transaction. The merge rule, per trait, by event time (so late and replayed events do no harm):
 * <ul>
 *   <li>set: takes the value unless the trait was last changed by a later event;
 *   <li>set_once: takes the value only when the user has no value for the trait (never set, or unset since);
 *   <li>unset: removes the trait unless it was last changed by a later event.
 * </ul>
 * {@code trait_times} records, per trait, the time of the event that last changed it. Other operations ($add,
 * $append…) are stored with the event but not applied here. Applying the same event twice changes nothing.
 */
final class Users {
  private Users() {}

  static final class Row {
    ObjectNode traits = EventJson.MAPPER.createObjectNode();
    ObjectNode times = EventJson.MAPPER.createObjectNode();
    String firstSeen;
    String lastSeen;
  }

  static void merge(Connection conn, List<UserUpdate> updates) throws SQLException {
    if (updates.isEmpty()) return;
    Map<String, Row> rows = load(conn, updates);
    applyAll(rows, updates);
    List<Map.Entry<String, Row>> list = new ArrayList<>(rows.entrySet());
    for (int from = 0; from < list.size(); from += 500) {
      List<Map.Entry<String, Row>> chunk = list.subList(from, Math.min(list.size(), from + 500));
      String sql = "INSERT OR REPLACE INTO users VALUES " + String.join(", ", Collections.nCopies(chunk.size(),
          "(?, ?::JSON, ?::JSON, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, now())"));
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        int i = 1;
        for (var e : chunk) {
          ps.setString(i++, e.getKey());
          ps.setString(i++, e.getValue().traits.toString());
          ps.setString(i++, e.getValue().times.toString());
          ps.setString(i++, e.getValue().firstSeen);
          ps.setString(i++, e.getValue().lastSeen);
        }
        ps.execute();
      }
    }
  }

  /** Applies {@code updates} in event-time order to {@code rows} (the stored rows of their users), adding new users. */
  static void applyAll(Map<String, Row> rows, List<UserUpdate> updates) {
    List<UserUpdate> ordered = new ArrayList<>(updates.size());
    for (UserUpdate u : updates) ordered.add(new UserUpdate(u.user(), normal(u.timestamp()), u.traits()));
    ordered.sort(Comparator.comparing(UserUpdate::timestamp));
    for (UserUpdate u : ordered) apply(rows.computeIfAbsent(u.user(), k -> new Row()), u);
  }

  /** A stored row, read back: traits and trait times as JSON text, first and last seen as ISO-8601. */
  static Row row(String traits, String times, String firstSeen, String lastSeen) {
    Row r = new Row();
    r.traits = object(traits);
    r.times = object(times);
    r.firstSeen = firstSeen == null ? null : normal(firstSeen);
    r.lastSeen = lastSeen == null ? null : normal(lastSeen);
    return r;
  }

  private static Map<String, Row> load(Connection conn, List<UserUpdate> updates) throws SQLException {
    List<String> ids = updates.stream().map(UserUpdate::user).distinct().toList();
    Map<String, Row> rows = new LinkedHashMap<>();
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      String sql = "SELECT user_id, traits, trait_times, strftime(first_seen AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), "
          + "strftime(last_seen AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') FROM users WHERE user_id IN ("
          + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.put(rs.getString(1), row(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
          }
        }
      }
    }
    return rows;
  }

  private static ObjectNode object(String json) {
    try {
      return json != null && EventJson.MAPPER.readTree(json) instanceof ObjectNode o ? o
          : EventJson.MAPPER.createObjectNode();
    } catch (IOException e) {
      return EventJson.MAPPER.createObjectNode();
    }
  }

  private static final java.time.format.DateTimeFormatter FIXED = java.time.format.DateTimeFormatter
      .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

  /** A time as fixed-width ISO-8601 UTC (nine fraction digits), so that times compare as strings. */
  static String normal(String iso) {
    Instant t = io.catchment.schema.Flattener.parseTime(iso);
    return FIXED.format(t != null ? t : Instant.parse(iso));
  }

  private static boolean before(String a, String b) {
    return a.compareTo(b) < 0;
  }

  static void apply(Row row, UserUpdate u) {
    String t = u.timestamp();
    if (row.firstSeen == null || before(t, row.firstSeen)) row.firstSeen = t;
    if (row.lastSeen == null || before(row.lastSeen, t)) row.lastSeen = t;
    for (Map.Entry<String, JsonNode> f : u.traits().properties()) {
      String k = f.getKey();
      if (k.equals(Identity.SET_ONCE)) {
        if (!(f.getValue() instanceof ObjectNode once)) continue;
        for (Map.Entry<String, JsonNode> o : once.properties()) {
          String changed = row.times.path(o.getKey()).asText(null);
          if (!row.traits.has(o.getKey()) && (changed == null || !before(t, changed))) {
            row.traits.set(o.getKey(), o.getValue());
            row.times.put(o.getKey(), t);
          }
        }
      } else if (k.equals(Identity.UNSET)) {
        for (JsonNode name : f.getValue()) {
          String changed = row.times.path(name.asText()).asText(null);
          if (changed == null || !before(t, changed)) {
            row.traits.remove(name.asText());
            row.times.put(name.asText(), t);
          }
        }
      } else if (!k.startsWith("$")) {
        String changed = row.times.path(k).asText(null);
        if (changed == null || !before(t, changed)) {
          row.traits.set(k, f.getValue());
          row.times.put(k, t);
        }
      }
    }
  }
}
