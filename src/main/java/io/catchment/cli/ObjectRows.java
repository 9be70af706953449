package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints JSON objects as an aligned text table, one chosen field per column. */
final class ObjectRows {
    private final List<String> fields;
    private final List<List<String>> rows = new ArrayList<>();

    ObjectRows(List<String> fields) {
        this.fields = fields;
    }

    void add(JsonNode object) {
        List<String> cells = new ArrayList<>();
        for (String f : fields) {
            JsonNode v = object.path(f);
            cells.add(v.isNull() || v.isMissingNode() ? "" : v.isValueNode() ? v.asText() : v.toString());
        }
        rows.add(cells);
    }

    void print() {
        print(System.out);
    }

    void print(PrintStream out) {
        QueryCommand.printTable(fields, rows, out);
    }
}
