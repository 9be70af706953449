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

    Sql sql() {
        return new Sql(sink.dialect());
    }

    Map<String, TableSchema> catalog() {
        return sink.catalog();
    }

    QueryResult run(Sql s) {
        return slots.run(() -> sink.query(s.text(), s.params(), maxRows, timeout));
    }

    List<List<Object>> rows(Sql s) {
        return run(s).rows();
    }

    /** The report named {@code kind} for the request {@code body}: trends, funnels, retention. */
    public Map<String, Object> report(String kind, JsonNode body) {
        Function<Req, Map<String, Object>> r = switch (kind) {
            case "trends" -> req -> new Trends(this, req).run();
            case "funnels" -> req -> new Funnels(this, req).run();
            case "retention" -> req -> new Retention(this, req).run();
            default -> throw new BadRequest("", "no report named '" + kind + "': trends, funnels or retention");
        };
        return r.apply(Req.root(body));
    }

    static double number(Object v) {
        if (v == null) return 0;
        if (v instanceof Number n) return n.doubleValue();
        return Double.parseDouble(v.toString());
    }

    /** A value for JSON: whole numbers as longs, others as doubles, null as null. */
    static Object value(Object v) {
        if (v == null) return null;
        double d = number(v);
        if (Double.isNaN(d)) return null;
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return (long) d;
        return d;
    }
}
