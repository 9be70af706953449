package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code catchment query "SQL"}: runs read-only SQL on a running server and prints the answer. */
@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        description = {
            "Run a read-only SQL query on a running Catchment and print the result.",
            "",
            "Example: catchment query \"SELECT event, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC\""
        },
        footer = {"", "Exit codes: 0 success, 1 the query failed, 2 bad usage, 3 server unreachable."})
public final class QueryCommand implements Callable<Integer> {
    enum Format {
        table,
        csv,
        json
    }

    @Parameters(index = "0", paramLabel = "SQL", description = "one SELECT statement")
    String sql;

    @Option(
            names = {"-f", "--format"},
            description = "table, csv or json (default: ${DEFAULT-VALUE})",
            defaultValue = "table")
    Format format;

    @Mixin
    AdminClient client;

    @Option(names = "--max-rows", description = "most rows to return (the server caps it too)")
    Integer maxRows;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> req = maxRows == null ? Map.of("sql", sql) : Map.of("sql", sql, "max_rows", maxRows);
        return DlqCommand.run(() -> {
            JsonNode body = client.post("/v1/query", req);
            print(body, format, System.out);
            if (body.path("truncated").asBoolean() && format == Format.table) {
                System.err.println("(truncated at " + body.path("rows").size() + " rows; see query.max_rows)");
            }
            return 0;
        });
    }

    static void print(JsonNode body, Format format, PrintStream out) throws Exception {
        if (format == Format.json) {
            out.println(EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body));
            return;
        }
        List<String> names = new ArrayList<>();
        body.path("columns").forEach(c -> names.add(c.path("name").asText()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : body.path("rows")) {
            List<String> cells = new ArrayList<>();
            row.forEach(v -> cells.add(
                    v.isNull() ? (format == Format.csv ? "" : "NULL") : v.isValueNode() ? v.asText() : v.toString()));
            rows.add(cells);
        }
        if (format == Format.csv) {
            out.println(String.join(",", names.stream().map(QueryCommand::csv).toList()));
            for (List<String> r : rows)
                out.println(String.join(",", r.stream().map(QueryCommand::csv).toList()));
            return;
        }
        printTable(names, rows, out);
        out.println(rows.size() + (rows.size() == 1 ? " row" : " rows") + " ("
                + body.path("elapsed_ms").asLong() + " ms)");
    }

    /** An aligned text table; cells over 60 characters are cut with an ellipsis. */
    static void printTable(List<String> names, List<List<String>> rows, PrintStream out) {
        int[] w = new int[names.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = names.get(i).length();
            for (List<String> r : rows)
                w[i] = Math.min(60, Math.max(w[i], r.get(i).length()));
        }
        StringBuilder sep = new StringBuilder("+");
        for (int x : w) sep.append("-".repeat(x + 2)).append('+');
        out.println(sep);
        out.println(line(names, w));
        out.println(sep);
        for (List<String> r : rows) out.println(line(r, w));
        out.println(sep);
    }

    private static String line(List<String> cells, int[] w) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            String c = cells.get(i).replace('\n', ' ');
            if (c.length() > w[i]) c = c.substring(0, w[i] - 1) + "…";
            b.append(' ').append(c).append(" ".repeat(w[i] - c.length())).append(" |");
        }
        return b.toString();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
