package io.catchment.sink;

import io.catchment.schema.ColumnType;
import io.catchment.schema.IdentityLinks;
import io.catchment.schema.PersonKey;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a store written before person keys (session 12) up to the current layout, once, when it is opened: every
 * table with a user gets {@code person_key} filled from its rows' ids, and {@code identity_links} is created and filled
 * from the links the events already hold. New rows get both from the loader ({@code Router}). DuckDB fills the column
 * with an UPDATE; ClickHouse adds it with the key as its DEFAULT, computed for the old parts when they are read and
 * written out as they merge. Not run for a ClickHouse cluster (its tables are Distributed over local tables).
 */
public final class LayoutUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutUpgrade.class);
    private static final List<String> LINK_COLUMNS =
            List.of("id", "timestamp", "source", "alias", "person", "alias_key", PersonKey.COLUMN);

    private LayoutUpgrade() {}

    /** Upgrades {@code sink} when its {@code events} table has no person keys yet; returns whether it did. */
    public static boolean run(Sink sink, boolean cluster) throws SinkException {
        Map<String, TableSchema> catalog = sink.catalog();
        TableSchema events = catalog.get("events");
        if (events == null || events.columns().containsKey(PersonKey.COLUMN)) return false;
        if (cluster) {
            LOG.warn("This ClickHouse cluster's tables have no person_key column: the analytics need it; "
                    + "see docs/analytics.md, 'Person keys'");
            return false;
        }
        long start = System.nanoTime();
        boolean ch = sink.dialect() == Sink.Dialect.CLICKHOUSE;
        List<SchemaChange> changes = new ArrayList<>();
        List<String> fill = new ArrayList<>();
        int keyed = 0;
        boolean links = !catalog.containsKey(IdentityLinks.TABLE);
        for (TableSchema t : catalog.values()) {
            String who = who(t, ch);
            if (who == null || t.columns().containsKey(PersonKey.COLUMN)) continue;
            keyed++;
            if (ch) {
                fill.add("ALTER TABLE " + q(t.name(), ch) + " ADD COLUMN " + PersonKey.COLUMN
                        + " Nullable(Int64) DEFAULT " + PersonKey.sql(who, true));
            } else {
                changes.add(change(SchemaChange.Kind.ADD_COLUMN, t.name(), PersonKey.COLUMN, ColumnType.BIGINT));
                fill.add("UPDATE " + q(t.name(), ch) + " SET " + PersonKey.COLUMN + " = " + PersonKey.sql(who, false)
                        + " WHERE " + who + " IS NOT NULL");
            }
        }
        if (links) {
            changes.add(change(SchemaChange.Kind.CREATE_TABLE, IdentityLinks.TABLE, null, null));
            for (String c : LINK_COLUMNS) {
                if (TableSchema.ENVELOPE.containsKey(c)) continue; // a new table has them
                ColumnType type = c.equals("timestamp")
                        ? ColumnType.TIMESTAMP
                        : c.endsWith("_key") ? ColumnType.BIGINT : ColumnType.VARCHAR;
                changes.add(change(SchemaChange.Kind.ADD_COLUMN, IdentityLinks.TABLE, c, type));
            }
            String linked = links(catalog, ch);
            fill.add("INSERT INTO " + IdentityLinks.TABLE + " ("
                    + String.join(", ", LINK_COLUMNS.stream().map(c -> q(c, ch)).toList())
                    + ") SELECT id, _ts, source, alias, person, " + PersonKey.sql("alias", ch)
                    + ", " + PersonKey.sql("person", ch) + " FROM (" + linked + ") AS l");
        }
        LOG.info("Upgrading the store's layout: person keys in {} tables{}", keyed, links ? ", identity links" : "");
        sink.write(new WriteBatch(changes, List.of(), null, List.of(), null, 0));
        sink.reloadCatalog();
        sink.upgrade(fill);
        sink.reloadCatalog();
        LOG.info("Layout upgraded in {} ms", (System.nanoTime() - start) / 1_000_000);
        return true;
    }

    /** The id a row's person key is made from (user id, else anonymous id), or null when the table has neither. */
    private static String who(TableSchema t, boolean ch) {
        boolean user = t.columns().containsKey("user_id");
        boolean anonymous = t.columns().containsKey("anonymous_id");
        if (user && anonymous) return ch ? "ifNull(user_id, anonymous_id)" : "coalesce(user_id, anonymous_id)";
        return user ? "user_id" : anonymous ? "anonymous_id" : null;
    }

    /** The links already in the events, as rows of (id, _ts, source, alias, person): what the Router now writes. */
    private static String links(Map<String, TableSchema> catalog, boolean ch) {
        StringBuilder b = new StringBuilder();
        link(b, catalog, "events", "anonymous_id", null, ch);
        link(b, catalog, "events", "previous_id", "type = 'alias'", ch);
        for (IdentityLinks.Source s : IdentityLinks.PROPERTY_SOURCES) link(b, catalog, s.table(), s.column(), null, ch);
        if (b.length() == 0) {
            return "SELECT id, " + q("timestamp", ch)
                    + " AS _ts, source, user_id AS alias, user_id AS person FROM events" + " WHERE 1 = 0";
        }
        return b.toString();
    }

    private static void link(
            StringBuilder b,
            Map<String, TableSchema> catalog,
            String table,
            String column,
            String condition,
            boolean ch) {
        TableSchema t = catalog.get(table);
        if (t == null
                || t.columns().get(column) != ColumnType.VARCHAR
                || !t.columns().containsKey("user_id")) return;
        if (!t.columns().containsKey("source") || !t.columns().containsKey("timestamp")) return;
        if (b.length() > 0) b.append(" UNION ALL ");
        String c = q(column, ch);
        b.append("SELECT id, ")
                .append(q("timestamp", ch))
                .append(" AS _ts, source, ")
                .append(c)
                .append(" AS alias, user_id AS person FROM ")
                .append(q(table, ch))
                .append(" WHERE user_id IS NOT NULL AND ")
                .append(c)
                .append(" IS NOT NULL AND ")
                .append(c)
                .append(" <> '' AND user_id <> ")
                .append(c);
        if (condition != null) b.append(" AND ").append(condition);
    }

    private static SchemaChange change(SchemaChange.Kind kind, String table, String column, ColumnType type) {
        return new SchemaChange(kind, table, column, null, type, "layout upgrade: person keys", null, null);
    }

    private static String q(String name, boolean ch) {
        return ch ? "`" + name.replace("`", "\\`") + "`" : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
