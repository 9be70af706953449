package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.CatchmentException;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small shared bits of the client commands: finding keys the way a local user expects. */
public final class Cli {
    private Cli() {}

    /**
     * Exit codes: 0 success, 1 failure at run time, 2 bad usage or configuration, 3 server unreachable, 4 the store
     * gave up on its database and a restart reopens it ({@code serve}).
     */
    public static final int FAILURE = 1;

    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int STORE_BROKEN = 4;

    /** Prints a server answer as indented JSON (every admin command's {@code --json}). */
    /**
     * The configuration a command runs with: the file named with {@code --config}, else {@code ./catchment.yaml} if
     * present, then the environment, then {@code overrides} (the command's options). Null, with the reason printed, when
     * the named file cannot be read (exit {@link #USAGE}).
     */
    public static io.catchment.config.CatchmentConfig config(
            java.nio.file.Path named, java.util.Map<String, String> overrides) {
        java.nio.file.Path file = named;
        if (file == null && java.nio.file.Files.exists(java.nio.file.Path.of("catchment.yaml"))) {
            file = java.nio.file.Path.of("catchment.yaml");
        }
        if (file != null && !java.nio.file.Files.isReadable(file)) {
            System.err.println("error: config file " + file + " is not readable");
            return null;
        }
        return new io.catchment.config.ConfigLoader(System.getenv()).load(file, overrides);
    }

    public static void printJson(Object body) throws IOException {
        System.out.println(EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    }

    /** $CATCHMENT_ADMIN_KEY, else the admin key generated under the data dir. */
    public static String adminKey(String dataDir) {
        String env = System.getenv("CATCHMENT_ADMIN_KEY");
        if (env != null && !env.isBlank()) return env.trim();
        return generated(dataDir).path("admin_key").asText();
    }

    /** $CATCHMENT_WRITE_KEY, else the first key of $CATCHMENT_WRITE_KEYS, else the first generated write key. */
    public static String writeKey(String dataDir) {
        String env = System.getenv("CATCHMENT_WRITE_KEY");
        if (env != null && !env.isBlank()) return env.trim();
        String keys = System.getenv("CATCHMENT_WRITE_KEYS");
        if (keys != null && !keys.isBlank()) return keys.split(",")[0].split("=")[0].trim();
        return generated(dataDir).path("write_keys").fieldNames().next();
    }

    private static JsonNode generated(String dataDir) {
        String dir = System.getenv().getOrDefault("CATCHMENT_DATA_DIR", dataDir);
        Path f = Path.of(dir, "keys.json");
        try {
            return EventJson.MAPPER.readTree(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new CatchmentException(
                    "no key given: pass --key, set CATCHMENT_ADMIN_KEY / CATCHMENT_WRITE_KEY, or run "
                            + "next to the server's data dir (" + f + " not readable)");
        }
    }
}
