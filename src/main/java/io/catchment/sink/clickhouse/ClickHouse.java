package io.catchment.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A thin layer over the official ClickHouse Java client (client-v2) that works the same on current servers and on
 * Debian's 18.16: statements and inserts over HTTP, answers read as {@code TabSeparated} named in the SQL text (18.16
 * cannot answer the client's default RowBinaryWithNamesAndTypes, and answers compressed responses with an empty body),
 * every table qualified with its database (18.16 ignores {@code X-ClickHouse-Database}). Thread-safe.
 */
final class ClickHouse implements AutoCloseable {
    /** Line by line reader of a TabSeparated answer. */
    @FunctionalInterface
    interface RowHandler {
        /** Returns false to stop reading. */
        boolean row(String[] cells);
    }

    private final Client client;
    private final ClickHouseLongInsert longInsert;
    private final int major;
    private final int minor;

    ClickHouse(String url, String user, String password) {
        this.longInsert = new ClickHouseLongInsert(url, user, password);
        this.client = new Client.Builder()
                .addEndpoint(url)
                .setUsername(user)
                .setPassword(password)
                .compressServerResponse(false)
                .compressClientRequest(
                        true) // LZ4-compressed request bodies: inserts cross the network at a fraction of the size
                .setSocketTimeout(300, java.time.temporal.ChronoUnit.SECONDS)
                .setConnectTimeout(5, java.time.temporal.ChronoUnit.SECONDS)
                .serverSetting("date_time_input_format", "best_effort")
                .build();
        String version;
        try {
            version = one("SELECT version()");
        } catch (ClickHouseFailure e) {
            client.close();
            throw e;
        }
        String[] parts = version.split("\\.");
        major = Integer.parseInt(parts[0]);
        minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    }

    String version() {
        return major + "." + minor;
    }

    /** DateTime64, LowCardinality and Bool (ClickHouse 21.12+); older servers get DateTime, String and UInt8. */
    boolean modern() {
        return major > 21 || (major == 21 && minor >= 12);
    }

    void execute(String sql) {
        try {
            client.execute(sql).get(300, TimeUnit.SECONDS).close();
        } catch (Exception e) {
            throw ClickHouseFailure.of(sql, e);
        }
    }

    /** Runs a query whose SQL ends with a FORMAT TabSeparated… clause, handing each line's cells to {@code handler}. */
    void query(String sql, Map<String, String> settings, RowHandler handler) {
        QuerySettings qs = new QuerySettings();
        settings.forEach(qs::serverSetting);
        try (var response = client.query(sql, qs).get(300, TimeUnit.SECONDS);
                var in = new BufferedReader(new InputStreamReader(response.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!handler.row(split(line))) break;
            }
        } catch (Exception e) {
            throw ClickHouseFailure.of(sql, e);
        }
    }

    List<String[]> rows(String sql) {
        List<String[]> out = new ArrayList<>();
        query(sql + " FORMAT TabSeparated", Map.of(), r -> out.add(r));
        return out;
    }

    String one(String sql) {
        List<String[]> r = rows(sql);
        return r.isEmpty() ? null : r.get(0)[0];
    }

    /** Inserts rows in TabSeparated into {@code table} (qualified) for the named columns, written by {@code body}. */
    void insert(String table, List<String> columns, Body body) {
        String statement = "INSERT INTO " + table + " ("
                + String.join(", ", columns.stream().map(ClickHouse::ident).toList()) + ") FORMAT TabSeparated";
        if (statement.length() > ClickHouseLongInsert.MAX_URL_STATEMENT) {
            longInsert.insert(statement, body); // too long for the URL the client would put it in
            return;
        }
        try {
            client.insert(table, columns, out -> body.write(out), ClickHouseFormat.TabSeparated, new InsertSettings())
                    .get(300, TimeUnit.SECONDS)
                    .close();
        } catch (Exception e) {
            throw ClickHouseFailure.of("INSERT INTO " + table, e);
        }
    }

    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Splits a TabSeparated line, undoing its escapes; {@code \N} becomes null. */
    static String[] split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean escaped = false;
        boolean nul = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (escaped) {
                escaped = false;
                switch (c) {
                    case 't' -> b.append('\t');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'N' -> nul = true;
                    default -> b.append(c);
                }
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '\t') {
                cells.add(nul ? null : b.toString());
                b.setLength(0);
                nul = false;
            } else {
                b.append(c);
            }
        }
        cells.add(nul ? null : b.toString());
        return cells.toArray(new String[0]);
    }

    /** A TabSeparated line of {@code cells} (null as {@code \N}), ending with a newline. */
    static String line(Object... cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) b.append('\t');
            Object v = cells[i];
            if (v == null) {
                b.append("\\N");
                continue;
            }
            String s = v instanceof Boolean x ? (x ? "1" : "0") : v.toString();
            for (int j = 0; j < s.length(); j++) {
                char c = s.charAt(j);
                switch (c) {
                    case '\t' -> b.append("\\t");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\\' -> b.append("\\\\");
                    case '\0' -> b.append("\\0");
                    default -> b.append(c);
                }
            }
        }
        return b.append('\n').toString();
    }

    /** A ClickHouse DateTime as text ({@code 2026-01-02 03:04:05[.123]}, UTC) to ISO-8601. */
    static String iso(String chTime) {
        if (chTime == null) return null;
        return chTime.replace(' ', 'T') + "Z";
    }

    /**
     * Increasing row versions: nanoseconds since the epoch (milliseconds, then counting up), never repeated by one
     * supplier; another process's are comparable only as far as the two clocks agree, and may be equal.
     */
    static java.util.function.LongSupplier versions() {
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        return () -> {
            long now = System.currentTimeMillis() * 1_000_000L;
            return last.updateAndGet(v -> Math.max(v + 1, now));
        };
    }

    /** A string literal. */
    static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A quoted identifier. */
    static String ident(String s) {
        return "`" + s.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    @Override
    public void close() {
        client.close();
    }

    /** A ClickHouse call failed; {@link #transientFailure} when the server was unreachable, busy or timed out. */
    static final class ClickHouseFailure extends RuntimeException {
        final boolean transientFailure;
        final int code;

        ClickHouseFailure(String message, Throwable cause, boolean transientFailure, int code) {
            super(message, cause);
            this.transientFailure = transientFailure;
            this.code = code;
        }

        static ClickHouseFailure of(String sql, Exception e) {
            if (e instanceof ClickHouseFailure f) return f;
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            int code = -1;
            for (Throwable t = cause; t != null && code <= 0; t = t.getCause()) {
                if (t instanceof com.clickhouse.client.api.ServerException s) {
                    code = s.getCode();
                    cause = s;
                }
            }
            String text = String.valueOf(cause.getMessage());
            if (code <= 0) {
                var m = java.util.regex.Pattern.compile("Code: (\\d+)").matcher(text);
                if (m.find()) code = Integer.parseInt(m.group(1));
            }
            // server errors are about the statement or the data, except: memory, too many parts/queries, timeouts,
            // readonly replica
            boolean server = code > 0;
            boolean busy = ClickHouseErrors.busy(code);
            // an HTTP 4xx with no ClickHouse error code is about this request (18.16 answers a statement too long for
            // its
            // URL, such as an INSERT naming hundreds of columns, with a bare 400): taken apart, not retried forever
            var http = java.util.regex.Pattern.compile("transport error: (4\\d\\d)")
                    .matcher(text);
            boolean refused = !server
                    && http.find()
                    && !http.group(1).equals("408")
                    && !http.group(1).equals("429");
            boolean transientFailure = (!server && !refused) || busy;
            String what = sql.length() > 200 ? sql.substring(0, 200) + "…" : sql;
            String kind = server ? "error " + code : refused ? "refused the request" : "unreachable";
            return new ClickHouseFailure(
                    "ClickHouse " + kind + ": " + text.lines().findFirst().orElse(text) + " (in: " + what + ")",
                    cause,
                    transientFailure,
                    code);
        }
    }
}
