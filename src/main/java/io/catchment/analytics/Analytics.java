package io.catchment.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.config.Layout;
import io.catchment.schema.TableSchema;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The analytics layer: a typed JSON request in, SQL for the store's dialect built from it alone, a chart-ready answer
 * out. Identifiers come from the store's catalog, values are bound parameters, and every statement runs through the
 * same read-only path, limits and concurrency slots as {@code /v1/query}. Thread-safe.
 */
public final class Analytics {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Analytics.class);

    /** How many statements may run at once with the other queries (the query API's slots). */
    public interface Slots {
        <T> T run(Supplier<T> query);
    }

    final Sink sink;
    final Layout layout;
    final ZoneId defaultZone;
    final Clock clock;
    private final int maxRows;
    private final Duration timeout;
    private final Slots slots;
    /** Whether every table has an index on person_key ({@code duckdb.person_index}): a person's rows by index. */
    volatile boolean personIndex;
    /** Trends' answers per bucket, kept between requests ({@link BucketCache}). */
    volatile BucketCache cache = new BucketCache(DEFAULT_CACHE);

    /** Series kept by default: each holds its buckets' values, a few kilobytes for a year of days. */
    public static final int DEFAULT_CACHE = 256;

    /** The reader of the request this thread is answering ({@link #session}), if any. */
    private final ThreadLocal<Sink.Reader> reader = new ThreadLocal<>();

    public Analytics(
            Sink sink, Layout layout, ZoneId defaultZone, int maxRows, Duration timeout, Slots slots, Clock clock) {
        this.sink = sink;
        this.layout = layout;
        this.defaultZone = defaultZone;
        this.maxRows = maxRows;
        this.timeout = timeout;
        this.slots = slots;
        this.clock = clock;
    }

    /** Tells the reports that the store indexes {@code person_key} ({@code duckdb.person_index}, DuckDB). */
    public void personIndex(boolean indexed) {
        this.personIndex = indexed;
    }

    /** How many trends series to keep answers of between requests (0: none; see {@link BucketCache}). */
    public void cacheSeries(int series) {
        this.cache = new BucketCache(series);
    }

    Sql sql() {
        return new Sql(sink.dialect());
    }

    Map<String, TableSchema> catalog() {
        return sink.catalog();
    }

    QueryResult run(Sql s) {
        return run(s, maxRows);
    }

    private QueryResult run(Sql s, int rows) {
        if (LOG.isDebugEnabled()) LOG.debug("{} {}", s.text(), s.params());
        Sink.Reader r = reader.get();
        if (r != null) return r.query(s.text(), s.params(), rows, timeout);
        return slots.run(() -> sink.query(s.text(), s.params(), rows, timeout));
    }

    /** Rows of a statement of the layer's own whose rows are not an answer's ({@code query.max_rows} does not apply). */
    List<List<Object>> rows(Sql s, int rows) {
        return run(s, rows).rows();
    }

    /**
     * Runs one request's statements together ({@link Sink#reading}): one query slot, one snapshot, one connection. The
     * statements are built here from the typed request and the catalog, values bound, so they need not pass the parse
     * that admits a client's SQL.
     */
    private <T> T session(Supplier<T> work) {
        if (reader.get() != null) return work.get();
        return slots.run(() -> sink.reading(r -> {
            reader.set(r);
            try {
                return work.get();
            } finally {
                reader.remove();
            }
        }));
    }

    List<List<Object>> rows(Sql s) {
        return run(s).rows();
    }

    /**
     * A breakdown's top values: the {@code limit} most frequent non-null {@code _bd} of {@code rows} (and their
     * {@code where}, if any), most frequent first, ties by value.
     */
    List<String> topValues(Sql rows, String where, int limit) {
        Sql q = sql();
        q.a("SELECT _bd, count(*) AS _n FROM (")
                .a(rows)
                .a(") AS r WHERE _bd IS NOT NULL" + (where == null ? "" : " AND " + where));
        q.a(" GROUP BY _bd ORDER BY _n DESC, _bd LIMIT " + limit);
        List<String> top = new java.util.ArrayList<>();
        for (List<Object> row : rows(q)) top.add(String.valueOf(row.get(0)));
        return top;
    }

    /** The report named {@code kind} for the request {@code body}: trends, funnels, retention. */
    public Map<String, Object> report(String kind, JsonNode body) {
        Function<Req, Map<String, Object>> r = switch (kind) {
            case "trends" -> req -> new Trends(this, req).run();
            case "funnels" -> req -> new Funnels(this, req).run();
            case "retention" -> req -> new Retention(this, req).run();
            default -> throw new BadRequest("", "no report named '" + kind + "': trends, funnels or retention");
        };
        return session(() -> r.apply(Req.root(body)));
    }

    /** A person's profile: merged ids, latest traits, first and last seen, events per source. */
    public Map<String, Object> profile(String id) {
        return session(() -> new People(this).profile(id));
    }

    /** A person's events, newest first, {@code limit} of them before the cursor {@code before} (null: the newest). */
    public Map<String, Object> userEvents(String id, int limit, String before) {
        return session(() -> new People(this).events(id, limit, before));
    }

    public Map<String, Object> searchUsers(String text, int limit) {
        return session(() -> new People(this).search(text, limit));
    }

    /** The newest events ({@code {"limit": 50, "event"|"type", "filters"}}). */
    public Map<String, Object> live(JsonNode body) {
        return session(() -> new Live(this).tail(Req.root(body)));
    }

    public Map<String, Object> eventNames(int days) {
        return session(() -> new Live(this).names(days));
    }

    /** A property's top values and histogram ({@code {"event", "property", "days", "limit"}}). */
    public Map<String, Object> propertyValues(JsonNode body) {
        return session(() -> new Live(this).values(Req.root(body)));
    }

    /** A number of a result row; ClickHouse answers an aggregate over no rows with nan (as text), which is NaN here. */
    static double number(Object v) {
        if (v == null) return 0;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A value for JSON: whole numbers as longs, others as doubles, null as null. */
    static Object value(Object v) {
        if (v == null) return null;
        if (v instanceof String text && Double.isNaN(number(text))) return null;
        double d = number(v);
        if (Double.isNaN(d)) return null;
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return (long) d;
        return d;
    }
}
