package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code catchment schema [TABLE]}: tables, columns, types, first/last seen, and the recent schema changes. */
@Command(
        name = "schema",
        mixinStandardHelpOptions = true,
        description = {
            "Show the tables of a running Catchment: columns, types, the source key each column holds, first "
                    + "and last seen, and the most recent schema changes."
        },
        footer = {"", "Exit codes: 0 success, 1 the server refused, 2 bad usage, 3 server unreachable."})
public final class SchemaCommand implements Callable<Integer> {
    @Mixin
    AdminClient client;

    @Parameters(paramLabel = "TABLE", arity = "0..1", description = "only this table")
    String table;

    @Option(
            names = "--changes",
            description = "recent changes to show (default: ${DEFAULT-VALUE})",
            defaultValue = "20")
    int changes;

    @Option(names = "--json", description = "print the server's JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        return DlqCommand.run(() -> {
            JsonNode body = client.get("/v1/schema?changes=" + changes + (table == null ? "" : "&table=" + table));
            if (json) {
                Cli.printJson(body);
                return 0;
            }
            for (JsonNode t : body.path("tables")) {
                System.out.println(
                        t.path("name").asText() + " (" + t.path("columns").size() + " columns)");
                ObjectRows rows = new ObjectRows(List.of("name", "type", "source", "first_seen", "last_seen"));
                t.path("columns").forEach(rows::add);
                rows.print();
                System.out.println();
            }
            System.out.println("Recent schema changes:");
            ObjectRows rows = new ObjectRows(
                    List.of("changed_at", "table_name", "column_name", "change", "old_type", "new_type", "reason"));
            body.path("changes").forEach(rows::add);
            rows.print();
            return 0;
        });
    }
}
