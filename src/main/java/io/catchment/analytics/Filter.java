package io.catchment.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.schema.ColumnType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One condition on a column: {@code {"property": "plan", "op": "eq", "value": "pro"}}. Values are converted to the
 * column's type here (a number for a BIGINT column, an ISO time for a timestamp), so a value that cannot be one is a
 * 400 naming it, never an SQL error; they are bound, never written into the SQL. Negative conditions ({@code neq},
 * {@code not_in}, {@code not_contains}) also hold where the property is unset, as in the SaaS reports.
 */
record Filter(String column, ColumnType type, String op, List<Object> values) {
    static final Set<String> OPS = Set.of(
            "eq",
            "neq",
            "in",
            "not_in",
            "contains",
            "not_contains",
            "lt",
            "lte",
            "gt",
            "gte",
            "is_set",
            "is_not_set",
            "regex");
    private static final Set<String> FIELDS = Set.of("property", "op", "value", "values");

    static Filter parse(Req r, Columns table) {
        r.only(FIELDS);
        String property = r.text("property");
        String op = r.choice("op", "eq", OPS);
        String column = table.column(r, "property", property);
        ColumnType type = table.type(column);
        List<Object> values = new ArrayList<>();
        if (!op.equals("is_set") && !op.equals("is_not_set")) {
            if (r.has("values")) {
                if (!r.get("values").node().isArray() || r.get("values").node().isEmpty())
                    throw r.bad("values", "must be a non-empty array");
                JsonNode vs = r.get("values").node();
                if (vs.size() > 1000) throw r.bad("values", "at most 1000 values");
                for (int i = 0; i < vs.size(); i++) values.add(value(r, "values[" + i + "]", vs.get(i), type, op));
            } else if (r.has("value")) {
                values.add(value(r, "value", r.get("value").node(), type, op));
            } else {
                throw r.bad("value", "is required for op " + op);
            }
            if (values.size() > 1 && !Set.of("eq", "neq", "in", "not_in").contains(op))
                throw r.bad("values", "op " + op + " takes one value");
        }
        return new Filter(column, type, op, values);
    }

    private static Object value(Req r, String key, JsonNode v, ColumnType type, String op) {
        boolean text = Set.of("contains", "not_contains", "regex").contains(op);
        if (v == null || v.isNull() || v.isContainerNode())
            throw r.bad(key, "must be a string, a number or a boolean (use is_set / is_not_set for null)");
        if (text || type == ColumnType.VARCHAR || type == ColumnType.JSON) return v.asText();
        switch (type) {
            case BIGINT -> {
                if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
                if (v.isNumber()) return v.doubleValue();
                try {
                    return Long.parseLong(v.asText().strip());
                } catch (NumberFormatException e) {
                    throw r.bad(key, "'" + v.asText() + "' is not a number, and the column is BIGINT");
                }
            }
            case DOUBLE -> {
                if (v.isNumber()) return v.doubleValue();
                try {
                    double d = Double.parseDouble(v.asText().strip());
                    if (!Double.isFinite(d)) throw new NumberFormatException();
                    return d;
                } catch (NumberFormatException e) {
                    throw r.bad(key, "'" + v.asText() + "' is not a number, and the column is DOUBLE");
                }
            }
            case BOOLEAN -> {
                if (v.isBoolean()) return v.booleanValue();
                if (v.asText().equals("true") || v.asText().equals("false")) return Boolean.parseBoolean(v.asText());
                throw r.bad(key, "'" + v.asText() + "' is not true or false, and the column is BOOLEAN");
            }
            case TIMESTAMP -> {
                try {
                    return OffsetDateTime.parse(v.asText()).toInstant();
                } catch (DateTimeParseException e) {
                    throw r.bad(key, "'" + v.asText() + "' is not an ISO-8601 time with an offset");
                }
            }
            default -> {
                return v.asText();
            }
        }
    }

    /** Appends this condition on {@code qualifier.column}. */
    void sql(Sql s, String qualifier) {
        String col = qualifier + Sql.quoted(s.dialect, column);
        boolean textual = type == ColumnType.VARCHAR || type == ColumnType.JSON;
        switch (op) {
            case "is_set" -> s.a(col + " IS NOT NULL");
            case "is_not_set" -> s.a(col + " IS NULL");
            case "eq", "in" -> in(s, col, false);
            case "neq", "not_in" -> {
                s.a("(" + col + " IS NULL OR ");
                in(s, col, true);
                s.a(")");
            }
            case "contains" -> s.bound(s.containsIgnoreCase(textual ? col : s.asText(col)), values.get(0));
            case "not_contains" -> {
                s.a("(" + col + " IS NULL OR NOT (");
                s.bound(s.containsIgnoreCase(textual ? col : s.asText(col)), values.get(0));
                s.a("))");
            }
            case "regex" -> s.bound(s.regex(textual ? col : s.asText(col)), values.get(0));
            default -> {
                String cmp = switch (op) {
                    case "lt" -> " < ";
                    case "lte" -> " <= ";
                    case "gt" -> " > ";
                    default -> " >= ";
                };
                s.a(col + cmp);
                value(s, values.get(0));
            }
        }
    }

    private void in(Sql s, String col, boolean not) {
        if (values.size() == 1) {
            s.a(col + (not ? " <> " : " = "));
            value(s, values.get(0));
            return;
        }
        s.a(col + (not ? " NOT IN (" : " IN ("));
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) s.a(", ");
            value(s, values.get(i));
        }
        s.a(")");
    }

    private static void value(Sql s, Object v) {
        if (v instanceof Instant t) s.time(t);
        else s.v(v);
    }
}
