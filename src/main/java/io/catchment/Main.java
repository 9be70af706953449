package io.catchment;

import io.catchment.bench.BenchCommand;
import io.catchment.bench.LoadgenCommand;
import io.catchment.cli.Cli;
import io.catchment.cli.QueryCommand;
import io.catchment.cli.ServeCommand;
import io.catchment.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one command-line entry: {@code catchment <command>}. */
@Command(
        name = "catchment",
        mixinStandardHelpOptions = true,
        version = "catchment 0.1.0",
        description = {
            "Self-hosted product-event pipeline: collect, buffer durably, load into a columnar store, query.",
            ""
        },
        subcommands = {
            ServeCommand.class,
            QueryCommand.class,
            io.catchment.cli.ReportCommand.class,
            io.catchment.cli.SchemaCommand.class,
            io.catchment.cli.StatusCommand.class,
            io.catchment.cli.DlqCommand.class,
            io.catchment.cli.LogCommand.class,
            LoadgenCommand.class,
            BenchCommand.class,
            io.catchment.cli.ImportCommand.class,
            io.catchment.bench.BenchImportCommand.class,
            io.catchment.bench.BenchQueryCommand.class
        },
        footer = {"", "Run 'catchment COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        CommandLine serve = cli.getSubcommands().get("serve");
        serve.getCommandSpec()
                .usageMessage()
                .footer(ServeCommand.settingsHelp())
                .width(120);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("error: " + e.getMessage());
                return Cli.USAGE;
            }
            if (e instanceof CatchmentException) {
                cmd.getErr().println("error: " + e.getMessage());
                return Cli.FAILURE;
            }
            cmd.getErr().println("error: " + e);
            org.slf4j.LoggerFactory.getLogger(Main.class).error("Command failed", e);
            return Cli.FAILURE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
