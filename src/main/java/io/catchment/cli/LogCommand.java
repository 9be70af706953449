package io.catchment.cli;

import io.catchment.config.CatchmentConfig;
import io.catchment.log.local.LogRepair;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catchment log repair}: offline maintenance of the local event log under the data dir. */
@Command(
        name = "log",
        mixinStandardHelpOptions = true,
        description = "Maintain the local event log (DATA_DIR/log) while the server is stopped.",
        subcommands = LogCommand.Repair.class)
public final class LogCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "repair",
            mixinStandardHelpOptions = true,
            description = {
                "Find log damage that stops Catchment from starting (bad segment header, future format version, "
                        + "corrupt record with valid records after it) and, with --quarantine, move the damaged part aside to "
                        + "DATA_DIR/log/quarantine/. Nothing is deleted. Records after the damage in the same segment leave the log "
                        + "but stay in the quarantine file. Without --quarantine it only reports.",
                "Run it while Catchment is stopped."
            },
            footer = {
                "",
                "Exit codes: 0 repaired or nothing to repair, 1 failure (or damage found in a dry run), "
                        + "2 bad usage."
            })
    static final class Repair implements Callable<Integer> {
        @Option(
                names = {"-c", "--config"},
                paramLabel = "FILE",
                description = "YAML config (default: ./catchment.yaml if " + "present)")
        Path config;

        @Option(
                names = {"-d", "--data-dir"},
                paramLabel = "DIR",
                description = "data directory (overrides data_dir)")
        Path dataDir;

        @Option(names = "--quarantine", description = "move the damaged parts aside (default: report only)")
        boolean quarantine;

        @Override
        public Integer call() throws Exception {
            Map<String, String> overrides = new HashMap<>();
            if (dataDir != null) overrides.put("data_dir", dataDir.toString());
            CatchmentConfig cfg = Cli.config(config, overrides);
            if (cfg == null) return Cli.USAGE;
            int damaged = new LogRepair(cfg.dataDir().resolve("log"), System.out::println).run(quarantine);
            if (damaged > 0 && quarantine) {
                System.out.println("repaired: Catchment can start; the quarantined bytes are in "
                        + cfg.dataDir().resolve("log").resolve("quarantine"));
            }
            return damaged > 0 && !quarantine ? Cli.FAILURE : 0;
        }
    }
}
