package io.catchment.schema;

/**
 * One change to a table's shape, recorded in {@code _schema_changes}. {@code oldType} is null for a new column or
 * table; {@code source} is the JSON Pointer of the key the column holds (null for envelope columns).
 */
public record SchemaChange(
        Kind kind,
        String table,
        String column,
        ColumnType oldType,
        ColumnType newType,
        String reason,
        String eventId,
        String source) {

    public enum Kind {
        CREATE_TABLE,
        ADD_COLUMN,
        WIDEN_COLUMN
    }
}
