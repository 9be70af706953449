package io.catchment.analytics;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.schema.TableSchema;
import java.util.Map;

/**
 * One table's columns as the store has them, for checking a request's property names: a property is a column name
 * ({@code properties_plan}, {@code context_page_url}) or a key under properties, context or traits ({@code plan},
 * {@code $browser} and {@code page.url} find {@code properties_plan}, {@code properties_browser} and {@code
 * context_page_url}). A name that is none of these is a 400, naming the table.
 */
record Columns(String table, Map<String, ColumnType> types) {
    static Columns of(TableSchema t) {
        return new Columns(t.name(), t.columns());
    }

    static Columns envelope(String table) {
        return new Columns(table, TableSchema.ENVELOPE);
    }

    boolean has(String column) {
        return types.containsKey(column);
    }

    ColumnType type(String column) {
        return types.get(column);
    }

    String column(Req r, String key, String property) {
        String found = find(property);
        if (found == null) {
            throw r.bad(
                    key,
                    "no column '" + property + "' in table '" + table + "' (property names are column names, as GET "
                            + "/v1/schema lists them, or keys under properties, context or traits)");
        }
        return found;
    }

    String find(String property) {
        if (types.containsKey(property)) return property;
        String s = Names.sanitize(property);
        if (types.containsKey(s)) return s;
        for (String prefix : new String[] {"properties_", "context_", "traits_"}) {
            if (types.containsKey(prefix + s)) return prefix + s;
        }
        return null;
    }
}
