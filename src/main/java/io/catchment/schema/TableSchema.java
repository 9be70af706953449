package io.catchment.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of one table as the loader sees them, and the one place that decides which column a value goes to.
 *
 * <p>The rule: a value goes to the column named after its field when that column does not exist yet (it is created
 * with the value's type) or its type {@link ColumnType#accepts accepts} the value. A DOUBLE value meeting a BIGINT
 * column widens the column to DOUBLE. Any other disagreement leaves the column untouched and sends the value to its
 * typed sibling {@code <column>__<suffix>} (for example {@code amount__string}), created on first use. Every creation
 * and widening is reported as a {@link SchemaChange}. Not thread-safe: one loader owns it.
 */
public final class TableSchema {
  /** Columns every table starts with. */
  public static final Map<String, ColumnType> ENVELOPE = envelope();

  private final String name;
  private final Map<String, ColumnType> columns;

  public TableSchema(String name, Map<String, ColumnType> columns) {
    this.name = name;
    this.columns = new LinkedHashMap<>(columns);
  }

  public static TableSchema create(String name, String eventId, List<SchemaChange> changes) {
    changes.add(new SchemaChange(SchemaChange.Kind.CREATE_TABLE, name, null, null, null, "first event for table", eventId));
    return new TableSchema(name, ENVELOPE);
  }

  public String name() {
    return name;
  }

  public Map<String, ColumnType> columns() {
    return columns;
  }

  /** Returns the column that stores {@code f}, creating or widening columns as the rule says. */
  public String resolve(Field f, String eventId, List<SchemaChange> changes) {
    String column = f.name();
    ColumnType type = f.type();
    for (int attempt = 0; attempt < 3; attempt++) {
      ColumnType existing = columns.get(column);
      if (existing == null) {
        columns.put(column, type);
        String why = attempt == 0 ? "new field" : "type conflict: " + type + " value for " + f.name() + " ("
            + columns.get(f.name()) + ")";
        changes.add(new SchemaChange(SchemaChange.Kind.ADD_COLUMN, name, column, null, type, why, eventId));
        return column;
      }
      if (existing.accepts(type)) return column;
      if (existing == ColumnType.BIGINT && type == ColumnType.DOUBLE) {
        columns.put(column, ColumnType.DOUBLE);
        changes.add(new SchemaChange(SchemaChange.Kind.WIDEN_COLUMN, name, column, existing, ColumnType.DOUBLE,
            "DOUBLE value for BIGINT column", eventId));
        return column;
      }
      column = Names.column(f.name() + "__" + type.suffix);
    }
    // the typed sibling is taken by another type: JSON holds any value
    String json = Names.column(f.name() + "__" + ColumnType.JSON.suffix);
    ColumnType existing = columns.putIfAbsent(json, ColumnType.JSON);
    if (existing == null) {
      changes.add(new SchemaChange(SchemaChange.Kind.ADD_COLUMN, name, json, null, ColumnType.JSON,
          "type conflict: " + type + " value for " + f.name() + ", typed siblings taken", eventId));
    }
    return json;
  }

  private static Map<String, ColumnType> envelope() {
    Map<String, ColumnType> m = new LinkedHashMap<>();
    m.put("id", ColumnType.VARCHAR);
    m.put("type", ColumnType.VARCHAR);
    m.put("event", ColumnType.VARCHAR);
    m.put("user_id", ColumnType.VARCHAR);
    m.put("anonymous_id", ColumnType.VARCHAR);
    m.put("timestamp", ColumnType.TIMESTAMP);
    m.put("sent_at", ColumnType.TIMESTAMP);
    m.put("received_at", ColumnType.TIMESTAMP);
    m.put("source", ColumnType.VARCHAR);
    return java.util.Collections.unmodifiableMap(m);
  }
}
