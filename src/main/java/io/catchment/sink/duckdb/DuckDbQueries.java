package io.catchment.sink.duckdb;

import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.duckdb.DuckDBConnection;

/**
 * Runs guarded read-only queries, each on its own connection duplicated from the store's, with a row limit and a
 * timeout (the statement is cancelled when it runs out).
 *
 * <p>Read-only is enforced twice. {@link DuckDbQueryGuard} admits one SELECT; then the statement runs inside {@code
 * BEGIN TRANSACTION READ ONLY}, so DuckDB itself refuses any write to the store ("transaction is launched in
 * read-only mode"), whatever the guard missed, and the transaction is rolled back afterwards. A second, read-only
 * DuckDB instance is not possible: in one process DuckDB refuses to open a file another instance has attached
 * ("Unique file handle conflict"), whatever the access mode. The duplicated connection shares the store's instance and
 * so its settings, which the store locks at start-up: external access off (files only in the staging directory),
 * extension autoload, autoinstall and community extensions off. {@code memory_limit} and {@code threads} are
 * per-instance in DuckDB, so queries share them with the loader; {@code query.max_concurrent} bounds how many run at
 * once. Values come back JSON-ready: numbers and booleans as such, times as ISO-8601 text, JSON columns as their text,
 * lists as lists, blobs as base64. Thread-safe.
 */
final class DuckDbQueries {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DuckDbQueries.class);
    private final DuckDBConnection conn;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "query-timeout");
        t.setDaemon(true);
        return t;
    });

    DuckDbQueries(DuckDBConnection conn) {
        this.conn = conn;
    }

    QueryResult run(String sql, int maxRows, Duration timeout) {
        return run(sql, List.of(), maxRows, timeout);
    }

    QueryResult run(String sql, List<Object> params, int maxRows, Duration timeout) {
        long start = System.nanoTime();
        try (Connection c = open();
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN TRANSACTION READ ONLY");
            try {
                DuckDbQueryGuard.check(c, sql);
                return execute(c, sql, params, maxRows, timeout, start);
            } finally {
                tx.execute("ROLLBACK");
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Runs {@code work} on one connection in one read-only transaction (one snapshot), its statements not passed
     * through {@link DuckDbQueryGuard}: for statements the server builds itself ({@link Sink#reading}). DuckDB still
     * refuses any write, and the instance's locked settings still hold.
     */
    <T> T reading(Function<Sink.Reader, T> work) {
        long opened = System.nanoTime();
        try (Connection c = open();
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN TRANSACTION READ ONLY");
            try {
                return work.apply((sql, params, maxRows, timeout) -> {
                    try {
                        QueryResult r = execute(c, sql, params, maxRows, timeout, System.nanoTime());
                        if (LOG.isDebugEnabled())
                            LOG.debug(
                                    "statement {} ms: {}",
                                    r.elapsedMillis(),
                                    sql.length() > 120 ? sql.substring(0, 120) : sql);
                        return r;
                    } catch (SQLException e) {
                        throw failure(e);
                    }
                });
            } finally {
                tx.execute("ROLLBACK");
            }
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            if (LOG.isDebugEnabled()) LOG.debug("read session {} ms", (System.nanoTime() - opened) / 1_000_000);
        }
    }

    private static QueryException failure(SQLException e) {
        String msg = firstLine(e.getMessage());
        if (msg.contains("read-only mode")) {
            return new QueryException(
                    QueryException.Reason.FORBIDDEN,
                    "the query tried to write, and queries run in a read-only transaction: " + msg);
        }
        return new QueryException(QueryException.Reason.INVALID, msg);
    }

    /** A new connection to the store's instance, its default catalog the store's; not yet in a transaction. */
    Connection open() throws SQLException {
        Connection c = conn.duplicate();
        try (Statement use = c.createStatement()) {
            // the store's connection is in manual-commit mode, and a duplicate inherits it: its implicit transaction
            // would be read-write; the query path opens its own, read-only one
            c.setAutoCommit(true);
            use.execute("USE " + DuckDbSink.CATALOG);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private QueryResult execute(
            Connection c, String sql, List<Object> params, int maxRows, Duration timeout, long start)
            throws SQLException {
        // prepare first: binder errors (unknown table or column) come back with DuckDB's own message
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
            AtomicBoolean timedOut = new AtomicBoolean();
            ScheduledFuture<?> cancel = timer.schedule(
                    () -> {
                        timedOut.set(true);
                        try {
                            st.cancel();
                        } catch (SQLException ignored) {
                            // the statement finished meanwhile
                        }
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            try (ResultSet rs = st.executeQuery()) {
                return read(rs, maxRows, start);
            } catch (SQLException e) {
                if (timedOut.get()) {
                    throw new QueryException(
                            QueryException.Reason.TIMEOUT,
                            "query cancelled after the " + timeout.toSeconds() + "s timeout (query.timeout)");
                }
                throw e;
            } finally {
                cancel.cancel(false);
            }
        }
    }

    private static QueryResult read(ResultSet rs, int maxRows, long start) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<QueryResult.Column> cols = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) cols.add(new QueryResult.Column(md.getColumnName(i), md.getColumnTypeName(i)));
        List<List<Object>> rows = new ArrayList<>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == maxRows) {
                truncated = true;
                break;
            }
            Object[] row = new Object[n];
            for (int i = 1; i <= n; i++) row[i - 1] = value(rs.getObject(i));
            rows.add(Arrays.asList(row));
        }
        return new QueryResult(cols, rows, truncated, (System.nanoTime() - start) / 1_000_000);
    }

    static Object value(Object v) throws SQLException {
        if (v == null || v instanceof Boolean || v instanceof String) return v;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return v;
        if (v instanceof Double d) return d.isNaN() || d.isInfinite() ? d.toString() : d;
        if (v instanceof Float f) return f.isNaN() || f.isInfinite() ? f.toString() : f;
        if (v instanceof BigDecimal || v instanceof BigInteger) return v;
        if (v instanceof byte[] b) return Base64.getEncoder().encodeToString(b);
        if (v instanceof java.sql.Blob b) return Base64.getEncoder().encodeToString(b.getBytes(1, (int) b.length()));
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) out.add(value(o));
            return out;
        }
        if (v instanceof java.sql.Timestamp t) return t.toInstant().toString();
        if (v instanceof java.time.OffsetDateTime t) return t.toInstant().toString();
        return v.toString();
    }

    static String firstLine(String s) {
        if (s == null) return "query failed";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    void close() {
        timer.shutdownNow();
    }
}
