package io.catchment.cli;

import io.catchment.Server;
import io.catchment.config.CatchmentConfig;
import io.catchment.config.KeyStore;
import io.catchment.config.Setting;
import io.catchment.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catchment serve}: runs the collector, log, loader, store and SQL API until stopped. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run Catchment: HTTP collector, durable log (local, or Kafka), loader, store (DuckDB, or ClickHouse) "
                    + "and SQL API.",
            "",
            "Configuration comes from catchment.yaml (or --config), then CATCHMENT_* environment variables, then the "
                    + "options below. All settings are listed after the options."
        },
        footerHeading = "%n",
        footer = "%s")
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML config file (default: ./catchment.yaml if present)")
    Path config;

    @Option(
            names = {"-p", "--port"},
            description = "HTTP port (overrides port)")
    Integer port;

    @Option(
            names = {"-d", "--data-dir"},
            paramLabel = "DIR",
            description = "data directory (overrides data_dir)")
    Path dataDir;

    @Option(
            names = "--log",
            paramLabel = "local|kafka|sqs",
            description = "event log: local files, Kafka (kafka.* settings) or an SQS queue (sqs.* settings); "
                    + "overrides log.type")
    String logType;

    @Option(
            names = "--store",
            paramLabel = "duckdb|clickhouse",
            description = "store: embedded DuckDB, or ClickHouse " + "(clickhouse.* settings; overrides store.type)")
    String storeType;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "certificate (chain) for HTTPS on --tls-port")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "private key of --tls-cert")
    Path tlsKey;

    @Option(
            names = "--tls-self-signed",
            description = "HTTPS with a development certificate for localhost, " + "created in DATA_DIR/tls")
    boolean tlsSelfSigned;

    @Option(names = "--tls-port", description = "HTTPS port (default 8443; HTTP stays on --port)")
    Integer tlsPort;

    /** The settings table, shown at the end of --help. */
    public static String settingsHelp() {
        StringBuilder b = new StringBuilder("Settings (YAML key, environment variable, default):%n");
        for (Setting<?> s : Settings.ALL) {
            b.append(String.format(
                    "  %-26s %-36s %s%n      %s%n",
                    s.key(), s.env(), s.defaultValue().isEmpty() ? "(none)" : s.defaultValue(), s.description()));
        }
        return b.append("%nExit codes: 0 stopped cleanly, 1 failed while running, 2 invalid configuration or usage.")
                .toString();
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        if (port != null) overrides.put("port", port.toString());
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        if (logType != null) overrides.put("log.type", logType);
        if (storeType != null) overrides.put("store.type", storeType);
        if (tlsCert != null) overrides.put("tls.cert", tlsCert.toString());
        if (tlsKey != null) overrides.put("tls.key", tlsKey.toString());
        if (tlsSelfSigned) overrides.put("tls.self_signed", "true");
        if (tlsPort != null) overrides.put("tls.port", tlsPort.toString());
        CatchmentConfig cfg = Cli.config(config, overrides);
        if (cfg == null) return Cli.USAGE;
        cfg = cfg.withKeys(KeyStore.resolve(cfg.keys(), cfg.dataDir(), msg -> {
            System.out.print(msg);
            System.out.flush();
        }));
        Server server = new Server(cfg).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                server.close();
                            } catch (Exception e) {
                                org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
                                        .error("Shutdown failed", e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "shutdown"));
        System.out.println("Catchment is up: http://" + displayHost(cfg.server().host()) + ":" + server.port()
                + (server.tlsPort() > 0
                        ? " and https://" + displayHost(cfg.server().host()) + ":" + server.tlsPort()
                        : "")
                + "  (POST /v1/events, POST /v1/query, GET /metrics; Ctrl-C to stop)");
        System.out.flush();
        // a store that gave up on its database cannot recover in this process: stop, so that a supervisor restarts
        while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            String broken = server.brokenStore();
            if (broken != null) {
                org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
                        .error("Stopping with exit code {}: {}", Cli.STORE_BROKEN, broken);
                System.exit(Cli.STORE_BROKEN); // the shutdown hook closes the server and the log
            }
        }
        return 0;
    }

    private static String displayHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
