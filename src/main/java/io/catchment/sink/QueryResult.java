package io.catchment.sink;

import java.util.List;

/** A query's answer: columns with their store types, rows of JSON-ready values, and whether the row limit cut it. */
public record QueryResult(List<Column> columns, List<List<Object>> rows, boolean truncated, long elapsedMillis) {
    public record Column(String name, String type) {}
}
