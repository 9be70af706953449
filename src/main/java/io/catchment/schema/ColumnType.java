package io.catchment.schema;

import java.util.Locale;

/** The column types Catchment infers from JSON values, with their SQL name and the suffix of a typed sibling. */
public enum ColumnType {
    BOOLEAN("BOOLEAN", "bool"),
    BIGINT("BIGINT", "bigint"),
    DOUBLE("DOUBLE", "double"),
    TIMESTAMP("TIMESTAMPTZ", "ts"),
    VARCHAR("VARCHAR", "string"),
    JSON("JSON", "json");

    public final String sql;
    public final String suffix;

    ColumnType(String sql, String suffix) {
        this.sql = sql;
        this.suffix = suffix;
    }

    /** Whether a value inferred as {@code value} can be stored in a column of this type without loss. */
    public boolean accepts(ColumnType value) {
        return switch (this) {
            case DOUBLE -> value == DOUBLE || value == BIGINT;
            case VARCHAR -> value == VARCHAR || value == TIMESTAMP;
            case JSON -> true;
            default -> value == this;
        };
    }

    /** Maps a type name as the store reports it back to ours; unknown types are treated as VARCHAR. */
    public static ColumnType fromSql(String sql) {
        String s = sql.toUpperCase(Locale.ROOT);
        if (s.startsWith("TIMESTAMP")) return TIMESTAMP;
        return switch (s) {
            case "BOOLEAN" -> BOOLEAN;
            case "BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT" -> BIGINT;
            case "DOUBLE", "FLOAT", "REAL" -> DOUBLE;
            case "JSON" -> JSON;
            default -> VARCHAR;
        };
    }
}
