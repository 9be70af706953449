package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code catchment status}: the accounting of a running server, its log, loader and dead letters. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show a running Catchment's accounting since it started: accepted (+ backlog at start + replayed) "
                    + "= loaded + dead-lettered + in flight; and its log, loader and dead letters."
        },
        footer = {"", "Exit codes: 0 success, 1 the server refused, 2 bad usage, 3 server unreachable."})
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    AdminClient client;

    @Option(names = "--json", description = "print the server's JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        return DlqCommand.run(() -> {
            JsonNode s = client.get("/v1/status");
            if (json) {
                Cli.printJson(s);
                return 0;
            }
            JsonNode e = s.path("events_since_start");
            System.out.printf(
                    "events since start (%d s): backlog at start %d + accepted %d + replayed %d = loaded %d + "
                            + "dead-lettered %d + in flight %d%n",
                    s.path("uptime_seconds").asLong(),
                    e.path("backlog_at_start").asLong(),
                    e.path("accepted").asLong(),
                    e.path("replayed").asLong(),
                    e.path("loaded").asLong(),
                    e.path("dead_lettered").asLong(),
                    e.path("in_flight").asLong());
            JsonNode l = s.path("log");
            System.out.printf(
                    "log: offsets %d..%d, %d bytes, %s%n",
                    l.path("start_offset").asLong(),
                    l.path("end_offset").asLong(),
                    l.path("bytes").asLong(),
                    l.path("healthy").asBoolean() ? "healthy" : "FAILED");
            JsonNode d = s.path("loader");
            System.out.printf(
                    "loader: %s, at offset %d, %d records behind%s%n",
                    d.path("enabled").asBoolean() ? "running" : "disabled",
                    d.path("position").asLong(),
                    d.path("lag_records").asLong(),
                    d.path("last_error").isNull()
                            ? ""
                            : ", last error: " + d.path("last_error").asText());
            System.out.println(
                    "dead letters pending: " + s.path("dead_letters_pending").asLong());
            return 0;
        });
    }
}
