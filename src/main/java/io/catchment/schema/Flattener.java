package io.catchment.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Flattens a JSON object into typed {@link Field}s: nested objects are joined with {@code _}
 * ({@code {"a":{"b":1}}} → {@code a_b}), arrays and objects nested deeper than {@link #MAX_DEPTH} become JSON text,
 * empty objects become the JSON text {@code {}}, nulls are skipped. Types: booleans → BOOLEAN, integers that fit 64
 * bits → BIGINT, other numbers → DOUBLE (integers too large for 64 bits → VARCHAR, to keep every digit), ISO-8601
 * date-times → TIMESTAMP, other strings → VARCHAR. When two keys of one object sanitise to the same name, the
 * alphabetically first raw key keeps it and the others get a {@code __<hash>} suffix, so no two keys share a column.
 * Stateless and thread-safe.
 */
public final class Flattener {
  public static final int MAX_DEPTH = 10;

  private Flattener() {}

  public static List<Field> flatten(String prefix, ObjectNode obj) {
    List<Field> out = new ArrayList<>();
    if (obj != null) flatten(prefix, obj, 0, out);
    return out;
  }

  public static void flatten(String prefix, ObjectNode obj, int depth, List<Field> out) {
    int n = obj.size();
    String[] raws = new String[n];
    String[] parts = new String[n];
    JsonNode[] values = new JsonNode[n];
    java.util.HashSet<String> unique = new java.util.HashSet<>(n * 2);
    boolean collision = false;
    int i = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); i++) {
      Map.Entry<String, JsonNode> e = it.next();
      raws[i] = e.getKey();
      parts[i] = Names.sanitize(raws[i]);
      values[i] = e.getValue();
      collision |= !unique.add(parts[i]);
    }
    for (i = 0; i < n; i++) {
      String part = collision && losesName(raws, parts, i) ? parts[i] + "__" + Names.hash(raws[i]).substring(0, 6) : parts[i];
      add(prefix.isEmpty() ? part : prefix + "_" + part, values[i], depth, out);
    }
  }

  /** A key keeps its sanitised name unless another key with the same name is that name exactly, or sorts first. */
  private static boolean losesName(String[] raws, String[] parts, int i) {
    if (raws[i].equals(parts[i])) return false;
    for (int j = 0; j < raws.length; j++) {
      if (j != i && parts[j].equals(parts[i]) && (raws[j].equals(parts[j]) || raws[j].compareTo(raws[i]) < 0)) {
        return true;
      }
    }
    return false;
  }

  private static void add(String name, JsonNode v, int depth, List<Field> out) {
    switch (v.getNodeType()) {
      case NULL, MISSING -> {}
      case BOOLEAN -> out.add(new Field(Names.column(name), ColumnType.BOOLEAN, v.booleanValue()));
      case NUMBER -> {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          out.add(new Field(Names.column(name), ColumnType.BIGINT, v.longValue()));
        } else if (v.isIntegralNumber()) {
          out.add(new Field(Names.column(name), ColumnType.VARCHAR, v.asText()));
        } else {
          out.add(new Field(Names.column(name), ColumnType.DOUBLE, v.doubleValue()));
        }
      }
      case STRING -> {
        String s = v.textValue();
        Instant t = parseTime(s);
        out.add(t == null ? new Field(Names.column(name), ColumnType.VARCHAR, s)
            : new Field(Names.column(name), ColumnType.TIMESTAMP, new Field.TimeValue(s, t)));
      }
      case OBJECT -> {
        if (v.isEmpty() || depth + 1 >= MAX_DEPTH) {
          out.add(new Field(Names.column(name), ColumnType.JSON, new Field.JsonText(v.toString())));
        } else {
          flatten(name, (ObjectNode) v, depth + 1, out);
        }
      }
      default -> out.add(new Field(Names.column(name), ColumnType.JSON, new Field.JsonText(v.toString())));
    }
  }

  /**
   * Parses ISO-8601 date-times: {@code 2024-05-01T10:00:00Z}, with fraction, with an offset, or without a zone (taken
   * as UTC), and the space-separated {@code 2024-05-01 10:00:00.123456} of the export formats. Else null.
   */
  public static Instant parseTime(String s) {
    int n = s.length();
    if (n < 16 || n > 40 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':') return null;
    char sep = s.charAt(10);
    if (sep != 'T' && sep != ' ' && sep != 't') return null;
    if (!Character.isDigit(s.charAt(0)) || !Character.isDigit(s.charAt(11))) return null;
    String iso = sep == 'T' ? s : s.substring(0, 10) + 'T' + s.substring(11);
    try {
      char last = iso.charAt(iso.length() - 1);
      boolean zoned = last == 'Z' || last == 'z' || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10;
      return zoned ? OffsetDateTime.parse(iso.replace('z', 'Z')).toInstant()
          : LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
