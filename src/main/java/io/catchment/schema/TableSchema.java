package io.catchment.schema;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of one table as the loader sees them, and the one place that decides which column a value goes to.
 *
 * <ol>
 *   <li><b>One key, one column.</b> A column belongs to the source key that created it (its JSON Pointer,
 *       {@code /properties/Plan}). A different key that sanitises to the same name ({@code /properties/plan})
 *       gets {@link Field#collisionName()} instead, so two keys never share a column.
 *   <li><b>New field:</b> a column is created with the value's type.
 *   <li><b>Same or compatible type</b> ({@link ColumnType#accepts}): the value goes in.
 *   <li><b>Widening:</b> a DOUBLE value meeting a BIGINT column widens the column to DOUBLE.
 *   <li><b>Any other conflict</b> leaves the column untouched; the value goes to its typed sibling
 *       {@code <column>__<suffix>} (for example {@code amount__string}), created on first use; if that name is held
 *       by another type, to {@code <column>__json}.
 *   <li><b>Column cap:</b> once the table has {@code maxColumns} columns, a field that would need a new column goes
 *       to the row's {@link #EXTRA} JSON object instead, keyed by its source path.
 * </ol>
 * Every creation and widening is reported as a {@link SchemaChange}. Not thread-safe: one loader thread owns it.
 */
public final class TableSchema {
    /** Columns every table starts with. */
    public static final Map<String, ColumnType> ENVELOPE = envelope();
    /** The overflow column: a JSON object of the fields past the column cap. */
    public static final String EXTRA = "_extra";

    public static final int DEFAULT_MAX_COLUMNS = 1000;

    private final String name;
    private final Map<String, ColumnType> columns;
    private final Map<String, String> sources;
    private final int maxColumns;

    public TableSchema(String name, Map<String, ColumnType> columns) {
        this(name, columns, Map.of(), DEFAULT_MAX_COLUMNS);
    }

    public TableSchema(String name, Map<String, ColumnType> columns, Map<String, String> sources, int maxColumns) {
        this.name = name;
        this.columns = new LinkedHashMap<>(columns);
        this.sources = new HashMap<>(sources);
        this.maxColumns = maxColumns;
    }

    public static TableSchema create(String name, String eventId, List<SchemaChange> changes, int maxColumns) {
        changes.add(new SchemaChange(
                SchemaChange.Kind.CREATE_TABLE, name, null, null, null, "first event for table", eventId, null));
        return new TableSchema(name, ENVELOPE, Map.of(), maxColumns);
    }

    public static TableSchema create(String name, String eventId, List<SchemaChange> changes) {
        return create(name, eventId, changes, DEFAULT_MAX_COLUMNS);
    }

    public String name() {
        return name;
    }

    public Map<String, ColumnType> columns() {
        return columns;
    }

    /** The source path each column holds, where known. */
    public Map<String, String> sources() {
        return sources;
    }

    /** Returns the column that stores {@code f} (or {@link #EXTRA}), creating or widening columns as the rule says. */
    public String resolve(Field f, String eventId, List<SchemaChange> changes) {
        String base = f.name();
        if (f.source() != null) {
            String owner = sources.get(base);
            if (owner != null && !owner.equals(f.source())) base = f.collisionName();
        }
        ColumnType type = f.type();
        String column = base;
        for (int attempt = 0; attempt < 3; attempt++) {
            ColumnType existing = columns.get(column);
            if (existing == null) {
                if (columns.size() >= maxColumns && f.source() != null) return overflow(eventId, changes);
                String why = attempt == 0
                        ? "new field"
                        : "type conflict: " + type + " value for " + base + " (" + columns.get(base) + ")";
                return add(column, type, f.source(), why, eventId, changes);
            }
            if (existing.accepts(type)) return column;
            if (existing == ColumnType.BIGINT && type == ColumnType.DOUBLE) {
                columns.put(column, ColumnType.DOUBLE);
                changes.add(new SchemaChange(
                        SchemaChange.Kind.WIDEN_COLUMN,
                        name,
                        column,
                        existing,
                        ColumnType.DOUBLE,
                        "DOUBLE value for BIGINT column",
                        eventId,
                        f.source()));
                return column;
            }
            column = Names.column(base + "__" + type.suffix);
        }
        // the typed sibling is taken by another type: JSON holds any value
        String json = Names.column(base + "__" + ColumnType.JSON.suffix);
        if (!columns.containsKey(json)) {
            if (columns.size() >= maxColumns) return overflow(eventId, changes);
            add(
                    json,
                    ColumnType.JSON,
                    f.source(),
                    "type conflict: " + type + " value for " + base + ", typed siblings taken",
                    eventId,
                    changes);
        }
        return json;
    }

    private String add(
            String column, ColumnType type, String source, String why, String eventId, List<SchemaChange> changes) {
        columns.put(column, type);
        if (source != null) sources.put(column, source);
        changes.add(new SchemaChange(SchemaChange.Kind.ADD_COLUMN, name, column, null, type, why, eventId, source));
        return column;
    }

    private String overflow(String eventId, List<SchemaChange> changes) {
        if (!columns.containsKey(EXTRA)) {
            add(EXTRA, ColumnType.JSON, null, "column cap of " + maxColumns + " reached", eventId, changes);
        }
        return EXTRA;
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
