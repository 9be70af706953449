package io.catchment.sink.clickhouse;

import io.catchment.schema.ColumnType;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.SinkException;
import io.catchment.sink.clickhouse.ClickHouse.ClickHouseFailure;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schema side of {@link ClickHouseSink}: the catalog as the server has it (tables and columns from
 * {@code system.columns}, each column's Catchment type and JSON key from its COMMENT), and a batch's schema changes
 * applied with statements that are safe to repeat and to race with another loader's, read back, and recorded in
 * {@code _schema_changes}. Called under the sink's lock.
 */
final class ClickHouseSchema {
    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final String db;

    ClickHouseSchema(ClickHouse ch, ClickHouseDdl ddl, String db) {
        this.ch = ch;
        this.ddl = ddl;
        this.db = db;
    }

    /** Tables and their columns as stored (metadata tables and {@code users} left out). */
    Map<String, TableSchema> readCatalog(int maxColumns) {
        Map<String, TableSchema> fresh = new LinkedHashMap<>();
        readColumns(null).forEach((t, cols) -> {
            Map<String, ColumnType> types = new LinkedHashMap<>();
            Map<String, String> sources = new LinkedHashMap<>();
            cols.forEach((c, spec) -> {
                types.put(c, spec.type());
                if (spec.source() != null) sources.put(c, spec.source());
            });
            fresh.put(t, new TableSchema(t, types, sources, maxColumns));
        });
        return fresh;
    }

    /** A column as stored: its Catchment type and the JSON key it holds (from its COMMENT). */
    record Column(ColumnType type, String source) {}

    /** The tables' columns (all data tables, or those named), in order, from system.columns. */
    private Map<String, Map<String, Column>> readColumns(Set<String> only) {
        Map<String, Map<String, Column>> tables = new LinkedHashMap<>();
        String where = only == null
                ? ""
                : only.isEmpty()
                        ? " AND 0"
                        : " AND table IN ("
                                + String.join(
                                        ", ",
                                        only.stream().map(ClickHouse::literal).toList()) + ")";
        for (String[] r : ch.rows("SELECT table, name, type, comment FROM system.columns WHERE database = "
                + ClickHouse.literal(db) + " AND table NOT LIKE '\\\\_%' AND table != 'users'" + where)) {
            if (r[1].equals("loaded_at")) continue;
            tables.computeIfAbsent(r[0], t -> new LinkedHashMap<>()).put(r[1], ClickHouseDdl.column(r[2], r[3]));
        }
        return tables;
    }

    /**
     * Creates tables and adds or widens columns; every statement is safe to repeat and to race with another loader's.
     * Then reads the touched tables back: a column that exists with another type than planned (another loader won
     * the race with other data) fails the write for good, so the loader re-reads the catalog and plans again.
     *
     * @return the tables this batch created (nothing stored in them yet to deduplicate against)
     */
    Set<String> apply(List<SchemaChange> changes) throws SinkException {
        if (changes.isEmpty()) return Set.of();
        Map<String, Map<String, SchemaChange>> createdCols = new LinkedHashMap<>();
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.CREATE_TABLE) createdCols.put(c.table(), new LinkedHashMap<>());
        }
        Set<String> touched = new HashSet<>();
        for (SchemaChange c : changes) {
            touched.add(c.table());
            if (c.kind() == SchemaChange.Kind.ADD_COLUMN && createdCols.containsKey(c.table())) {
                createdCols.get(c.table()).put(c.column(), c);
            }
        }
        Map<String, Map<String, Column>> before = readColumns(touched);
        for (var t : createdCols.entrySet()) {
            if (!before.containsKey(t.getKey())) {
                for (String sql : ddl.createTable(t.getKey(), t.getValue().values())) ch.execute(sql);
            }
        }
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.CREATE_TABLE) continue;
            Map<String, Column> existing = before.getOrDefault(c.table(), Map.of());
            boolean createdNow = createdCols.containsKey(c.table()) && !before.containsKey(c.table());
            if (createdNow) continue;
            if (c.kind() == SchemaChange.Kind.ADD_COLUMN && !existing.containsKey(c.column())) {
                try {
                    for (String sql : ddl.addColumn(c.table(), c.column(), c.newType(), c.source())) ch.execute(sql);
                } catch (ClickHouseFailure e) {
                    if (!ClickHouseErrors.columnExists(e.code)) throw e; // another loader added it first: checked below
                }
            } else if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN
                    && existing.getOrDefault(c.column(), new Column(c.newType(), null))
                                    .type()
                            != c.newType()) {
                for (String sql : ddl.modifyColumn(c.table(), c.column(), c.newType(), c.source())) ch.execute(sql);
            }
        }
        Map<String, Map<String, Column>> after = readColumns(touched);
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.CREATE_TABLE) continue;
            Column got = after.getOrDefault(c.table(), Map.of()).get(c.column());
            if (got == null || got.type() != c.newType()) {
                throw new SinkException(
                        "column " + c.table() + "." + c.column() + " is " + (got == null ? "missing" : got.type())
                                + " in ClickHouse, not " + c.newType()
                                + " as planned (another loader changed the table): "
                                + "planning the batch again",
                        null,
                        false);
            }
        }
        StringBuilder rows = new StringBuilder();
        String now = Instant.now().toString();
        for (SchemaChange c : changes) {
            rows.append(ClickHouse.line(
                    now,
                    c.table(),
                    c.column(),
                    c.kind().name(),
                    c.oldType() == null ? null : c.oldType().sql,
                    c.newType() == null ? null : c.newType().sql,
                    c.reason(),
                    c.eventId(),
                    c.source()));
        }
        ch.insert(
                ddl.q("_schema_changes"),
                List.of(
                        "changed_at",
                        "table_name",
                        "column_name",
                        "change",
                        "old_type",
                        "new_type",
                        "reason",
                        "event_id",
                        "source"),
                out -> out.write(rows.toString().getBytes(StandardCharsets.UTF_8)));
        Set<String> created = new HashSet<>(createdCols.keySet());
        created.removeAll(before.keySet());
        return created;
    }
}
