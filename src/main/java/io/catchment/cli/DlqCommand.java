package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code catchment dlq list|show|replay|purge}: inspect and redrive dead letters on a running server. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = {
            "Inspect, replay and purge dead letters: events the store could not take, kept with the reason.",
            "Replay puts events back on the log, so they take the normal path again; replaying twice stores them once."
        },
        subcommands = {DlqCommand.ListDlq.class, DlqCommand.Show.class, DlqCommand.Replay.class, DlqCommand.Purge.class
        },
        footer = {"", "Exit codes: 0 success, 1 the server refused, 2 bad usage, 3 server unreachable."})
public final class DlqCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Runs a call, printing the server's refusal the way every command does. */
    static int run(Callable<Integer> call) throws Exception {
        try {
            return call.call();
        } catch (AdminClient.Failure f) {
            System.err.println("error: " + f.getMessage());
            return f.exitCode;
        }
    }

    /** Which dead letters: --all, --reason, --since, or keys. */
    static final class Selection {
        @Option(names = "--all", description = "every pending dead letter")
        boolean all;

        @Option(names = "--reason", description = "those whose reason contains this text")
        String reason;

        @Option(
                names = "--since",
                description = "those that last failed at or after this instant (2024-05-01T00:00:00Z)")
        String since;

        Map<String, Object> body(List<String> keys) {
            Map<String, Object> b = new LinkedHashMap<>();
            if (all) b.put("all", true);
            if (reason != null) b.put("reason", reason);
            if (since != null) b.put("since", since);
            if (keys != null && !keys.isEmpty()) b.put("keys", keys);
            return b;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, oldest first.")
    static final class ListDlq implements Callable<Integer> {
        @Mixin
        AdminClient client;

        @Option(names = "--reason", description = "only those whose reason contains this text")
        String reason;

        @Option(names = "--since", description = "only those that last failed at or after this instant")
        String since;

        @Option(names = "--all", description = "include replayed ones")
        boolean all;

        @Option(names = "--limit", description = "most to list (default: ${DEFAULT-VALUE})", defaultValue = "100")
        int limit;

        @Option(names = "--json", description = "print the server's JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            return run(() -> {
                StringBuilder q = new StringBuilder("/v1/dlq?limit=" + limit + (all ? "&all=true" : ""));
                if (reason != null) q.append("&reason=").append(java.net.URLEncoder.encode(reason, "UTF-8"));
                if (since != null) q.append("&since=").append(java.net.URLEncoder.encode(since, "UTF-8"));
                JsonNode body = client.get(q.toString());
                if (json) {
                    Cli.printJson(body);
                    return 0;
                }
                ObjectRows rows = new ObjectRows(
                        List.of("key", "event_id", "table", "attempts", "last_failed_at", "replayed_at", "reason"));
                for (JsonNode d : body.path("dead_letters")) rows.add(d);
                rows.print();
                System.out.println(body.path("pending").asLong() + " pending");
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter with its event.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminClient client;

        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        public Integer call() throws Exception {
            return run(() -> {
                Cli.printJson(client.get("/v1/dlq/" + key));
                return 0;
            });
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = "Put dead letters back on the log (the normal path: schema rules, duplicate check).")
    static final class Replay implements Callable<Integer> {
        @Mixin
        AdminClient client;

        @ArgGroup(exclusive = false)
        Selection selection = new Selection();

        @Parameters(paramLabel = "KEY", arity = "0..*", description = "dead letters to replay (also replayed ones)")
        List<String> keys = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return run(() -> {
                JsonNode r = client.post("/v1/dlq/replay", selection.body(keys));
                System.out.println("replayed " + r.path("replayed").asLong() + " events onto the log");
                return 0;
            });
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Delete dead letters for good.")
    static final class Purge implements Callable<Integer> {
        @Mixin
        AdminClient client;

        @ArgGroup(exclusive = false)
        Selection selection = new Selection();

        @Parameters(paramLabel = "KEY", arity = "0..*")
        List<String> keys = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return run(() -> {
                JsonNode r = client.post("/v1/dlq/purge", selection.body(keys));
                System.out.println("purged " + r.path("purged").asLong() + " dead letters");
                return 0;
            });
        }
    }
}
