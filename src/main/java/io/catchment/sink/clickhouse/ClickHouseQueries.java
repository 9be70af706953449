package io.catchment.sink.clickhouse;

import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Read-only SQL against ClickHouse, in two lines of defence: our guard admits one SELECT / WITH / SHOW / DESCRIBE /
 * EXPLAIN statement without a FORMAT, SETTINGS or INTO OUTFILE clause of its own; then ClickHouse runs it with
 * {@code readonly=1} (no writes, no DDL, no setting changes, no table functions such as {@code file()} or {@code
 * url()}) and per-query limits: {@code max_execution_time} (query.timeout), {@code max_memory_usage}
 * (clickhouse.query_max_memory; past it the query fails, the server does not) and {@code max_result_rows} one past
 * {@code maxRows} with {@code result_overflow_mode=break} (the server stops producing rows soon after the cap, and the
 * extra row tells us the answer was truncated). All are accepted by ClickHouse 18.16. The answer is read as {@code
 * TabSeparatedWithNamesAndTypes} and stops after {@code maxRows} rows. Unqualified tables are Catchment's ({@code
 * database} is sent as the request's database). Stateless and thread-safe.
 */
final class ClickHouseQueries {
    private static final Pattern START =
            Pattern.compile("(?is)^\\s*(select|with|show|describe|desc|explain|exists)\\b.*");
    private static final Pattern FORBIDDEN = Pattern.compile("(?i)\\b(format|settings|into\\s+outfile)\\b");

    /** ClickHouse's max_memory_usage for a query unless configured: 1 GiB (the server's own default is 10 GB). */
    public static final long DEFAULT_MAX_MEMORY = 1L << 30;

    private ClickHouseQueries() {}

    /** The settings sent with every query request: read-only, the store's database, and the per-query limits. */
    static Map<String, String> settings(String database, int maxRows, Duration timeout, long maxMemory) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("readonly", "1");
        s.put("database", database);
        s.put("max_execution_time", String.valueOf(Math.max(1, timeout.toSeconds())));
        s.put("max_memory_usage", String.valueOf(maxMemory));
        s.put("max_result_rows", String.valueOf((long) maxRows + 1));
        s.put("result_overflow_mode", "break");
        return s;
    }

    static QueryResult run(ClickHouse ch, Map<String, String> settings, String sql, int maxRows, Duration timeout) {
        String s = sql.strip();
        while (s.endsWith(";")) s = s.substring(0, s.length() - 1).strip();
        if (!START.matcher(s).matches()) {
            throw new QueryException(
                    QueryException.Reason.FORBIDDEN,
                    "only read-only statements are allowed (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN)");
        }
        if (s.contains(";")) throw new QueryException(QueryException.Reason.FORBIDDEN, "send exactly one statement");
        if (FORBIDDEN.matcher(stripStrings(s)).find()) {
            throw new QueryException(
                    QueryException.Reason.FORBIDDEN,
                    "FORMAT, SETTINGS and INTO OUTFILE are not allowed: the API chooses the format and the limits");
        }
        long start = System.nanoTime();
        List<QueryResult.Column> cols = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        boolean[] truncated = {false};
        List<String> names = new ArrayList<>();
        try {
            ch.query(s + "\nFORMAT TabSeparatedWithNamesAndTypes", settings, r -> {
                if (names.isEmpty()) {
                    names.addAll(List.of(r));
                    return true;
                }
                if (cols.isEmpty()) {
                    for (int i = 0; i < r.length; i++) cols.add(new QueryResult.Column(names.get(i), r[i]));
                    return true;
                }
                if (rows.size() == maxRows) {
                    truncated[0] = true;
                    return false;
                }
                List<Object> row = new ArrayList<>(r.length);
                for (int i = 0; i < r.length; i++)
                    row.add(value(r[i], cols.get(i).type()));
                rows.add(row);
                return true;
            });
        } catch (ClickHouse.ClickHouseFailure e) {
            if (e.code == ClickHouseErrors.TIMEOUT_EXCEEDED) {
                throw new QueryException(
                        QueryException.Reason.TIMEOUT,
                        "query cancelled after the " + timeout.toSeconds() + " s limit (query.timeout)");
            }
            if (e.code == ClickHouseErrors.MEMORY_LIMIT_EXCEEDED) {
                throw new QueryException(
                        QueryException.Reason.INVALID,
                        "the query needs more memory than its limit of " + settings.get("max_memory_usage")
                                + " bytes (clickhouse.query_max_memory): " + e.getMessage());
            }
            if (e.code == ClickHouseErrors.READONLY)
                throw new QueryException(QueryException.Reason.FORBIDDEN, e.getMessage());
            if (e.transientFailure) throw new QueryException(QueryException.Reason.UNAVAILABLE, e.getMessage());
            throw new QueryException(QueryException.Reason.INVALID, e.getMessage());
        }
        return new QueryResult(cols, rows, truncated[0], (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The SQL with each {@code ?} outside literals and quoted identifiers replaced by the next value as a ClickHouse
     * literal. Server-side query parameters ({@code {name:Type}}) came with ClickHouse 19.x, after the 18.16 the tests
     * run, so values are escaped here, by the one quoting rule ({@link ClickHouse#literal}) every other statement uses.
     */
    static String bind(String sql, List<Object> params) {
        StringBuilder out = new StringBuilder(sql.length() + 16 * params.size());
        int next = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < sql.length()) out.append(sql.charAt(++i));
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '`' || c == '"') {
                quote = c;
                out.append(c);
            } else if (c == '?') {
                if (next == params.size())
                    throw new IllegalArgumentException("more placeholders than the " + params.size() + " values");
                out.append(literal(params.get(next++)));
            } else {
                out.append(c);
            }
        }
        if (next != params.size())
            throw new IllegalArgumentException(params.size() + " values for " + next + " placeholders");
        return out.toString();
    }

    private static String literal(Object v) {
        if (v == null) return "NULL";
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return v.toString();
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) throw new IllegalArgumentException("not a finite number: " + d);
            return d.toString();
        }
        if (v instanceof java.math.BigDecimal d) return d.toPlainString();
        return ClickHouse.literal(v.toString());
    }

    /** The SQL with string literals and quoted identifiers blanked, so keywords inside them are not mistaken. */
    static String stripStrings(String s) {
        // a scan, not a regular expression: java.util.regex recurses per character of a quoted run, and a literal of
        // a few thousand characters overflowed the stack
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\'' && c != '`' && c != '"') {
                out.append(c);
                i++;
                continue;
            }
            int j = i + 1;
            while (j < s.length() && s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
            if (j >= s.length()) return out.append(s, i, s.length()).toString(); // unterminated: kept as it is
            out.append(c).append(c);
            i = j + 1;
        }
        return out.toString();
    }

    /** A JSON-ready value of a ClickHouse type written as TabSeparated text. */
    static Object value(String v, String type) {
        if (v == null) return null;
        String t = type.replace("LowCardinality(", "").replace("Nullable(", "");
        try {
            if (t.startsWith("Int") || t.startsWith("UInt")) {
                return t.contains("128") || t.contains("256") || t.startsWith("UInt64")
                        ? new java.math.BigInteger(v)
                        : Long.parseLong(v);
            }
            if (t.startsWith("Float")) return Double.parseDouble(v);
            if (t.startsWith("Bool")) return v.equals("true") || v.equals("1");
            if (t.startsWith("DateTime")) return ClickHouse.iso(v);
        } catch (NumberFormatException e) {
            return v; // nan, inf: as text
        }
        return v;
    }
}
