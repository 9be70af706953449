package io.catchment.analytics;

import io.catchment.config.Layout;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.schema.Router;
import io.catchment.schema.TableSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which events a series or a funnel step counts: {@code {"event": "Order Completed", "filters": [...]}} (a track
 * event, from its own table in the per-event layout), {@code {"type": "page"}} (identify, page, screen, group or
 * alias) or {@code {"type": "any"}} (every event, from {@code events}: envelope and context columns only). An event
 * that has not been loaded yet selects nothing (its table does not exist), so a chart of it shows zeros.
 */
final class Selection {
    static final Set<String> FIELDS = Set.of("event", "type", "filters");
    private static final Set<String> TYPES = Set.of("any", "track", "identify", "page", "screen", "group", "alias");

    final String table;
    final String event;
    final String type;
    final Columns columns;
    final List<Filter> filters;
    /** False when the table does not exist: the selection is empty. */
    final boolean exists;

    private Selection(String table, String event, String type, Columns columns, List<Filter> filters, boolean exists) {
        this.table = table;
        this.event = event;
        this.type = type;
        this.columns = columns;
        this.filters = filters;
        this.exists = exists;
    }

    /** Parses the event fields of {@code r} (which may carry other fields of its own, checked by the caller). */
    static Selection parse(Req r, Map<String, TableSchema> catalog, Layout layout) {
        String event = r.text("event", null);
        String type = r.choice("type", event == null ? null : "track", TYPES);
        if (event == null && type == null) throw r.bad("event", "is required (or \"type\": \"any\" for every event)");
        if (event != null && !type.equals("track")) throw r.bad("type", "an event name goes with type track only");
        if (event == null && type.equals("track")) throw r.bad("event", "is required for type track");
        String table;
        if (type.equals("any") || layout == Layout.SINGLE) table = Router.EVENTS;
        else
            table = switch (type) {
                case "identify" -> "identifies";
                case "page" -> "pages";
                case "screen" -> "screens";
                case "group" -> "groups";
                case "alias" -> "aliases";
                default -> Names.table(event);
            };
        TableSchema schema = catalog.get(table);
        boolean exists = schema != null;
        Columns cols = exists ? Columns.of(schema) : Columns.envelope(table);
        List<Filter> filters = new ArrayList<>();
        for (Req f : r.list("filters", 50)) filters.add(Filter.parse(f, cols));
        return new Selection(table, event, type, cols, filters, exists);
    }

    /**
     * Appends {@code FROM table WHERE <event, type, time and filters>}: rows from [{@code from}, {@code to}); a null
     * bound is open.
     */
    void from(Sql s, Instant from, Instant to) {
        if (!exists) {
            s.a(" FROM ").id(Router.EVENTS).a(" WHERE 1 = 0");
            return;
        }
        s.a(" FROM ").id(table).a(" WHERE 1 = 1");
        if (event != null) s.a(" AND ").id("event").a(" = ").v(event);
        else if (!type.equals("any") && table.equals(Router.EVENTS))
            s.a(" AND ").id("type").a(" = ").v(type);
        if (from != null) s.a(" AND ").id("timestamp").a(" >= ").time(from);
        if (to != null) s.a(" AND ").id("timestamp").a(" < ").time(to);
        for (Filter f : filters) {
            s.a(" AND ");
            f.sql(s, "");
        }
    }

    /** The column {@code property} names in this selection's table, or a 400 at {@code r.key}. */
    String column(Req r, String key, String property) {
        if (!exists) return null;
        return columns.column(r, key, property);
    }

    ColumnType type(String column) {
        return column == null ? ColumnType.VARCHAR : columns.type(column);
    }

    String label() {
        return event != null ? event : type.equals("any") ? "All events" : type;
    }
}
