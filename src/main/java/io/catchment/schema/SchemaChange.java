package io.catchment.schema;

/**
 * One change to a table's shape, recorded in {@code _schema_changes}. {@code oldType} is null for a new column or table.
 */
public record SchemaChange(Kind kind, String table, String column, ColumnType oldType, ColumnType newType,
    String reason, String eventId) {

  public enum Kind { CREATE_TABLE, ADD_COLUMN, WIDEN_COLUMN }
}
