package io.catchment.sink.clickhouse;

import io.catchment.schema.ColumnType;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The SQL {@link ClickHouseSink} runs, in one place so that it can be tested without a server: modern types
 * ({@code DateTime64(3, 'UTC')}, {@code LowCardinality}, {@code Bool}) on ClickHouse 21.12 and later, compatible ones
 * on older servers (Debian's 18.16: {@code DateTime('UTC')}, second precision; {@code UInt8} booleans); and with a
 * cluster name, every statement {@code ON CLUSTER}, data in {@code Replicated*MergeTree} tables named {@code *_local}
 * and a {@code Distributed} table (sharded by the id's hash) under the plain name that loaders and queries use.
 *
 * <p>Data tables: {@code ReplacingMergeTree(loaded_at)}, {@code PARTITION BY toYYYYMM(timestamp)}, {@code ORDER BY
 * (toDate(timestamp), <event for the events table>, id)}: time-bounded queries read few granules, and the sorting key
 * ends with the id within the day, so merges also collapse any duplicate the dedup check let through.
 */
final class ClickHouseDdl {
    private final String db;
    private final boolean modern;
    private final String cluster;

    ClickHouseDdl(String db, boolean modern, String cluster) {
        this.db = db;
        this.modern = modern;
        this.cluster = cluster == null ? "" : cluster;
    }

    /** A table qualified with the database. */
    String q(String table) {
        return ClickHouse.ident(db) + "." + ClickHouse.ident(table);
    }

    private String onCluster() {
        return cluster.isEmpty() ? "" : " ON CLUSTER " + ClickHouse.ident(cluster);
    }

    private String engine(String kind, String table, String args) {
        if (cluster.isEmpty()) return kind + (args.isEmpty() ? "" : "(" + args + ")");
        String path = "'/clickhouse/tables/{shard}/" + db + "/" + table + "', '{replica}'";
        return "Replicated" + kind + "(" + path + (args.isEmpty() ? "" : ", " + args) + ")";
    }

    /** Statements creating a table under {@code name} with {@code columns} and the engine clause {@code tail}. */
    private List<String> table(String name, String columns, String kind, String args, String tail) {
        List<String> out = new ArrayList<>();
        if (cluster.isEmpty()) {
            out.add("CREATE TABLE IF NOT EXISTS " + q(name) + " (" + columns + ") ENGINE = " + engine(kind, name, args)
                    + tail);
            return out;
        }
        String local = name + "_local";
        out.add("CREATE TABLE IF NOT EXISTS " + q(local) + onCluster() + " (" + columns + ") ENGINE = "
                + engine(kind, local, args) + tail);
        out.add("CREATE TABLE IF NOT EXISTS " + q(name) + onCluster() + " AS " + q(local) + " ENGINE = Distributed("
                + ClickHouse.ident(cluster) + ", " + ClickHouse.ident(db) + ", " + ClickHouse.ident(local)
                + (name.startsWith("_") || name.equals("users") ? ", rand())" : ", cityHash64(id))"));
        return out;
    }

    /**
     * The database and the metadata tables (offsets, import checkpoints, schema changes, dead letters, users and the
     * last days' writes of users, dashboards).
     */
    List<String> metadata() {
        List<String> out = new ArrayList<>();
        out.add("CREATE DATABASE IF NOT EXISTS " + ClickHouse.ident(db) + onCluster());
        String time = modern ? "DateTime64(3, 'UTC')" : "DateTime('UTC')";
        out.addAll(table(
                "_catchment_offsets",
                "consumer String, next_offset Int64, version UInt64",
                "ReplacingMergeTree",
                "version",
                " ORDER BY consumer"));
        out.addAll(table(
                "_imports",
                "job_id String, member String, next_line Int64, events Int64, dead_letters Int64, updated_at " + time
                        + ", version UInt64",
                "ReplacingMergeTree",
                "version",
                " ORDER BY (job_id, member)"));
        out.addAll(table(
                "_schema_changes",
                "changed_at " + time + ", table_name String, column_name Nullable(String), "
                        + "change String, old_type Nullable(String), new_type Nullable(String), reason Nullable(String), "
                        + "event_id Nullable(String), source Nullable(String)",
                "MergeTree",
                "",
                " ORDER BY (table_name, changed_at)"));
        out.addAll(table(
                "_dead_letters",
                "key String, event_id Nullable(String), table_name Nullable(String), "
                        + "reason String, attempts Int32, first_failed_at " + time + ", last_failed_at " + time
                        + ", replayed_at "
                        + "Nullable(" + time + "), log_offset Int64, event String, deleted UInt8, version UInt64",
                "ReplacingMergeTree",
                "version",
                " ORDER BY key"));
        out.addAll(table(
                "users",
                "user_id String, traits String, trait_times String, first_seen Nullable(" + time
                        + "), last_seen Nullable(" + time + "), updated_at " + time + ", version UInt64",
                "ReplacingMergeTree",
                "version",
                " ORDER BY user_id"));
        out.addAll(table(
                ClickHouseUsers.WRITES,
                "user_id String, traits String, trait_times String, first_seen Nullable(" + time
                        + "), last_seen Nullable(" + time + "), updated_at " + time + ", version UInt64",
                "MergeTree",
                "",
                " PARTITION BY toYYYYMMDD(updated_at) ORDER BY (updated_at, user_id)"));
        out.addAll(table(
                "_dashboards",
                "id String, name String, spec String, updated_at " + time + ", deleted UInt8, version UInt64",
                "ReplacingMergeTree",
                "version",
                " ORDER BY id"));
        return out;
    }

    /** A loader's own table of the batch's (id, timestamp) pairs for the duplicate check: in memory, not replicated. */
    String idsTable(String name) {
        return "CREATE TABLE IF NOT EXISTS " + q(name) + " (id String, `timestamp` " + timestampType()
                + ", tbl String) ENGINE = Memory";
    }

    private String timestampType() {
        return modern ? "DateTime64(3, 'UTC')" : "DateTime('UTC')";
    }

    /** A new data table with the envelope and the batch's new columns. */
    List<String> createTable(String table, Collection<SchemaChange> added) {
        StringBuilder cols = new StringBuilder();
        for (Map.Entry<String, ColumnType> e : TableSchema.ENVELOPE.entrySet()) {
            cols.append(ClickHouse.ident(e.getKey()))
                    .append(' ')
                    .append(envelopeType(e.getKey(), e.getValue()))
                    .append(" COMMENT ")
                    .append(ClickHouse.literal(e.getValue().name()))
                    .append(", ");
        }
        for (SchemaChange c : added) {
            cols.append(ClickHouse.ident(c.column()))
                    .append(' ')
                    .append(type(c.newType()))
                    .append(" COMMENT ")
                    .append(ClickHouse.literal(comment(c.newType(), c.source())))
                    .append(", ");
        }
        cols.append("loaded_at DateTime('UTC') DEFAULT now()");
        String order =
                table.equals("events") ? "(toDate(`timestamp`), ifNull(event, ''), id)" : "(toDate(`timestamp`), id)";
        return table(
                table,
                cols.toString(),
                "ReplacingMergeTree",
                "loaded_at",
                " PARTITION BY toYYYYMM(`timestamp`) ORDER BY " + order);
    }

    List<String> addColumn(String table, String column, ColumnType type, String source) {
        String c = ClickHouse.ident(column);
        String clause = " ADD COLUMN " + c + " " + type(type) + ", COMMENT COLUMN " + c + " "
                + ClickHouse.literal(comment(type, source));
        return alter(table, clause);
    }

    List<String> modifyColumn(String table, String column, ColumnType type, String source) {
        String c = ClickHouse.ident(column);
        return alter(
                table,
                " MODIFY COLUMN " + c + " " + type(type) + ", COMMENT COLUMN " + c + " "
                        + ClickHouse.literal(comment(type, source)));
    }

    /** The table that holds {@code table}'s parts ({@code *_local} on a cluster), and its partition's drop. */
    String database() {
        return db;
    }

    String partsTable(String table) {
        return cluster.isEmpty() ? table : table + "_local";
    }

    String dropPartition(String table, String partition) {
        return "ALTER TABLE " + q(partsTable(table)) + onCluster() + " DROP PARTITION " + partition;
    }

    private List<String> alter(String table, String clause) {
        if (cluster.isEmpty()) return List.of("ALTER TABLE " + q(table) + clause);
        return List.of(
                "ALTER TABLE " + q(table + "_local") + onCluster() + clause,
                "ALTER TABLE " + q(table) + onCluster() + clause);
    }

    /** Envelope columns: the id and the event time are the sorting key, never NULL; names repeat, so LowCardinality. */
    String envelopeType(String column, ColumnType type) {
        if (column.equals("id")) return "String";
        if (column.equals("timestamp")) return timestampType();
        if (modern && (column.equals("type") || column.equals("event") || column.equals("source"))) {
            return "LowCardinality(Nullable(String))";
        }
        return type(type);
    }

    String type(ColumnType t) {
        return switch (t) {
            case BOOLEAN -> modern ? "Nullable(Bool)" : "Nullable(UInt8)";
            case BIGINT -> "Nullable(Int64)";
            case DOUBLE -> "Nullable(Float64)";
            case TIMESTAMP -> "Nullable(" + timestampType() + ")";
            case VARCHAR, JSON -> "Nullable(String)";
        };
    }

    /** The COMMENT that records a column's Catchment type and the JSON key it holds. */
    static String comment(ColumnType type, String source) {
        return type.name() + (source == null ? "" : " " + source);
    }

    /** A column read back from system.columns: the type from its COMMENT, else from its ClickHouse type. */
    static ClickHouseSchema.Column column(String chType, String comment) {
        if (comment != null && !comment.isEmpty()) {
            int sp = comment.indexOf(' ');
            String name = sp < 0 ? comment : comment.substring(0, sp);
            try {
                return new ClickHouseSchema.Column(ColumnType.valueOf(name), sp < 0 ? null : comment.substring(sp + 1));
            } catch (IllegalArgumentException e) {
                // a comment of the user's own: fall through to the type
            }
        }
        String t = chType.replace("LowCardinality(", "").replace("Nullable(", "");
        ColumnType type;
        if (t.startsWith("DateTime")) type = ColumnType.TIMESTAMP;
        else if (t.startsWith("Bool") || t.startsWith("UInt8")) type = ColumnType.BOOLEAN;
        else if (t.startsWith("Int") || t.startsWith("UInt")) type = ColumnType.BIGINT;
        else if (t.startsWith("Float") || t.startsWith("Decimal")) type = ColumnType.DOUBLE;
        else type = ColumnType.VARCHAR;
        return new ClickHouseSchema.Column(type, null);
    }
}
