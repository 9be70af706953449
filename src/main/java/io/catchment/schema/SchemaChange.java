package io.catchment.schema;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger SCHEMA_LOG = LoggerFactory.getLogger("catchment.schema");

    /** Logs committed changes on the {@code catchment.schema} logger, one line each: what operators follow. */
    public static void logCommitted(List<SchemaChange> changes) {
        for (SchemaChange c : changes) {
            SCHEMA_LOG.info(
                    "{} {}.{} {} -> {} ({}, event {})",
                    c.kind(),
                    c.table(),
                    c.column(),
                    c.oldType(),
                    c.newType(),
                    c.reason(),
                    c.eventId());
        }
    }
}
