package io.catchment.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fills in keys the configuration left empty: generated once, stored in {@code DATA_DIR/keys.json} (mode 600) and
 * announced once through {@code announce}; later starts read them back silently.
 */
public final class KeyStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyStore() {}

    public static CatchmentConfig.Keys resolve(
            CatchmentConfig.Keys configured, Path dataDir, Consumer<String> announce) {
        if (!configured.writeKeys().isEmpty() && !configured.adminKey().isEmpty()) return configured;
        Path file = dataDir.resolve("keys.json");
        try {
            Map<String, String> write = new LinkedHashMap<>();
            String admin;
            if (Files.exists(file)) {
                ObjectNode n = (ObjectNode) JSON.readTree(file.toFile());
                n.get("write_keys")
                        .properties()
                        .forEach(e -> write.put(e.getKey(), e.getValue().asText()));
                admin = n.get("admin_key").asText();
            } else {
                write.put("wk_" + random(), "default");
                admin = "ak_" + random();
                Files.createDirectories(dataDir);
                ObjectNode n = JSON.createObjectNode();
                ObjectNode w = n.putObject("write_keys");
                write.forEach(w::put);
                n.put("admin_key", admin);
                Path tmp = Files.createTempFile(dataDir, "keys", ".tmp");
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                StringBuilder msg = new StringBuilder("Generated keys (stored in ")
                        .append(file)
                        .append("; shown only this once):\n");
                if (configured.writeKeys().isEmpty())
                    write.keySet()
                            .forEach(k -> msg.append("  write key: ").append(k).append('\n'));
                if (configured.adminKey().isEmpty())
                    msg.append("  admin key: ").append(admin).append('\n');
                announce.accept(msg.toString());
            }
            return new CatchmentConfig.Keys(
                    configured.writeKeys().isEmpty() ? write : configured.writeKeys(),
                    configured.adminKey().isEmpty() ? admin : configured.adminKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write generated keys at " + file, e);
        }
    }

    private static String random() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
