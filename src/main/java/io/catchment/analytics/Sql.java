package io.catchment.analytics;

import io.catchment.sink.Sink;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One SQL statement under construction: its text and the values bound to its {@code ?} placeholders, in order, with
 * the few functions whose spelling differs between DuckDB and ClickHouse. Everything the reports build goes through
 * here, so the two stores get the same statement shape: nested subqueries (ClickHouse 18.16 has no common table
 * expressions), equality joins, and times as epoch seconds compared as integers.
 */
final class Sql {
    private static final DateTimeFormatter CLICKHOUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    final Sink.Dialect dialect;
    private final StringBuilder text = new StringBuilder(256);
    private final List<Object> params = new ArrayList<>();

    Sql(Sink.Dialect dialect) {
        this.dialect = dialect;
    }

    Sql fresh() {
        return new Sql(dialect);
    }

    boolean clickhouse() {
        return dialect == Sink.Dialect.CLICKHOUSE;
    }

    String text() {
        return text.toString();
    }

    List<Object> params() {
        return params;
    }

    Sql a(String s) {
        text.append(s);
        return this;
    }

    /** A bound value. */
    Sql v(Object value) {
        text.append('?');
        params.add(value);
        return this;
    }

    /** An expression with one {@code ?} (as the dialect methods below write them), bound to {@code value}. */
    Sql bound(String withPlaceholder, Object value) {
        int q = withPlaceholder.indexOf('?');
        return a(withPlaceholder.substring(0, q)).v(value).a(withPlaceholder.substring(q + 1));
    }

    /** Another statement's text and values, as a subquery or expression. */
    Sql a(Sql other) {
        text.append(other.text);
        params.addAll(other.params);
        return this;
    }

    /** A quoted identifier (names come from the catalog, never from the request unchecked). */
    Sql id(String name) {
        if (clickhouse())
            text.append('`')
                    .append(name.replace("\\", "\\\\").replace("`", "\\`"))
                    .append('`');
        else text.append('"').append(name.replace("\"", "\"\"")).append('"');
        return this;
    }

    static String quoted(Sink.Dialect d, String name) {
        return new Sql(d).id(name).text();
    }

    /** An instant as a value of the stores' timestamp columns. */
    Sql time(Instant t) {
        if (clickhouse()) {
            return a("toDateTime(")
                    .v(LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(CLICKHOUSE_TIME))
                    .a(", 'UTC')");
        }
        return a("CAST(").v(t.toString()).a(" AS TIMESTAMPTZ)");
    }

    /** Whole epoch seconds of a timestamp column. */
    Sql epoch(String column) {
        if (clickhouse()) return a("toInt64(toUInt32(").id(column).a("))");
        // epoch_us: epoch() on a TIMESTAMPTZ costs DuckDB twice as much (10M rows: 400 against 200 ms)
        return a("CAST(floor(epoch_us(").id(column).a(") / 1000000.0) AS BIGINT)");
    }

    /** Integer division (both stores truncate; the reports divide non-negative numbers). */
    Sql div(String expr, long by) {
        return clickhouse() ? a("intDiv(" + expr + ", " + by + ")") : a("((" + expr + ") // " + by + ")");
    }

    String countDistinct(String expr) {
        return clickhouse() ? "uniqExact(" + expr + ")" : "count(DISTINCT " + expr + ")";
    }

    /** The q-quantile, interpolated (ClickHouse: exact up to 8,192 values, then estimated from a sample). */
    String quantile(double q, String expr) {
        return clickhouse() ? "quantile(" + q + ")(" + expr + ")" : "quantile_cont(" + expr + ", " + q + ")";
    }

    String quantileIf(double q, String expr, String cond) {
        return clickhouse()
                ? "quantileIf(" + q + ")(" + expr + ", " + cond + ")"
                : "quantile_cont(" + expr + ", " + q + ") FILTER (WHERE " + cond + ")";
    }

    /** min over the rows where {@code cond} holds, 0 when there are none (as ClickHouse answers). */
    String minIf(String expr, String cond) {
        return clickhouse()
                ? "minIf(" + expr + ", " + cond + ")"
                : "coalesce(min(" + expr + ") FILTER (WHERE " + cond + "), 0)";
    }

    String argMinIf(String value, String by, String cond) {
        return clickhouse()
                ? "argMinIf(" + value + ", " + by + ", " + cond + ")"
                : "arg_min(" + value + ", " + by + ") FILTER (WHERE " + cond + ")";
    }

    String argMin(String value, String by) {
        return clickhouse() ? "argMin(" + value + ", " + by + ")" : "arg_min(" + value + ", " + by + ")";
    }

    /** The array of {@code expr} over the rows where {@code cond} holds (empty when none). */
    String arrayIf(String expr, String cond) {
        return clickhouse()
                ? "groupArrayIf(" + expr + ", " + cond + ")"
                : "coalesce(array_agg(" + expr + ") FILTER (WHERE " + cond + "), [])";
    }

    /** The smallest element of {@code array} within [{@code lo}, {@code hi}], 0 when none. */
    String firstBetween(String array, String lo, String hi) {
        if (clickhouse()) {
            // ClickHouse 18.16's lambdas cannot see columns: the bounds ride along as arrays of the same length
            return "arrayReduce('min', arrayFilter((x, l, h) -> x >= l AND x <= h, " + array + ", replicate(" + lo
                    + ", " + array + "), replicate(" + hi + ", " + array + ")))";
        }
        return "coalesce(list_min(list_filter(" + array + ", lambda x: x >= " + lo + " AND x <= " + hi + ")), 0)";
    }

    /** The distinct elements of {@code array} within [{@code lo}, {@code hi}]. */
    String distinctBetween(String array, String lo, String hi) {
        if (clickhouse()) {
            return "arrayDistinct(arrayFilter((x, l, h) -> x >= l AND x <= h, " + array + ", replicate(" + lo + ", "
                    + array + "), replicate(" + hi + ", " + array + ")))";
        }
        return "list_distinct(list_filter(" + array + ", lambda x: x >= " + lo + " AND x <= " + hi + "))";
    }

    /** 0, then each element of {@code array} minus {@code base}: a cohort row and its return periods, as offsets. */
    String zeroAndOffsets(String array, String base) {
        if (clickhouse()) {
            return "arrayConcat([toInt64(0)], arrayMap((x, l) -> toInt64(x - l), " + array + ", replicate(" + base
                    + ", " + array + ")))";
        }
        return "list_concat([CAST(0 AS BIGINT)], list_transform(" + array + ", lambda x: CAST(x - " + base
                + " AS BIGINT)))";
    }

    /** One row per element of {@code array} (a select-list expression). */
    String explode(String array) {
        return clickhouse() ? "arrayJoin(" + array + ")" : "unnest(" + array + ")";
    }

    /** 0, 1, … n-1, one row each (a select-list expression). */
    String explodeRange(int n) {
        return clickhouse() ? "arrayJoin(range(" + n + "))" : "unnest(range(" + n + "))";
    }

    String join(boolean left) {
        if (clickhouse()) return left ? " ANY LEFT JOIN " : " ALL INNER JOIN ";
        return left ? " LEFT JOIN " : " JOIN ";
    }

    /** Text of a column of any type (null stays null). */
    String asText(String expr) {
        return clickhouse() ? "toString(" + expr + ")" : "CAST(" + expr + " AS VARCHAR)";
    }

    /** Appends a user trait from the {@code users} table's JSON object of traits, as text (null when unset). */
    Sql trait(String traitsColumn, String key) {
        if (clickhouse()) {
            // 18.16 has no JSONExtract: visitParam reads flat objects, which traits are
            return a("if(visitParamHas(" + traitsColumn + ", ")
                    .v(key)
                    .a("), if(visitParamExtractString(" + traitsColumn + ", ")
                    .v(key)
                    .a(") != '', visitParamExtractString(" + traitsColumn + ", ")
                    .v(key)
                    .a("), visitParamExtractRaw(" + traitsColumn + ", ")
                    .v(key)
                    .a(")), NULL)");
        }
        return a("json_extract_string(" + traitsColumn + ", ")
                .v("/" + key.replace("~", "~0").replace("/", "~1"))
                .a(")");
    }

    /**
     * Appends a breakdown group: {@code column}'s value when it is one of {@code top}, {@code $other} for any other
     * value, null where it is unset.
     */
    Sql topOrOther(String column, List<String> top) {
        a("CASE WHEN " + column + " IS NULL THEN NULL");
        if (!top.isEmpty()) {
            a(" WHEN " + column + " IN (");
            for (int i = 0; i < top.size(); i++) (i > 0 ? a(", ") : this).v(top.get(i));
            a(") THEN " + column);
        }
        return a(" ELSE ").v(Trends.OTHER).a(" END");
    }

    /** Text of {@code expr}, nullable, one type whatever the column's (ClickHouse's UNION ALL wants equal types). */
    String nullableText(String expr) {
        return clickhouse() ? "toNullable(toString(" + expr + "))" : "CAST(" + expr + " AS VARCHAR)";
    }

    String nullText() {
        return clickhouse() ? "CAST(NULL AS Nullable(String))" : "CAST(NULL AS VARCHAR)";
    }

    String regex(String expr) {
        return clickhouse() ? "match(" + expr + ", ?)" : "regexp_matches(" + expr + ", ?)";
    }

    String containsIgnoreCase(String expr) {
        return clickhouse()
                ? "positionCaseInsensitiveUTF8(" + expr + ", ?) > 0"
                : "strpos(lower(" + expr + "), lower(?)) > 0";
    }
}
