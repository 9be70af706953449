package io.catchment.it;

import io.catchment.Server;
import io.catchment.config.ConfigLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The real server in the test's JVM: loopback, a free port, the test's temp dir, a short loader batch wait. */
final class InProcessServer implements AutoCloseable {
    final Server server;
    final String base;

    InProcessServer(Path dir, String writeKeys, String adminKey, String... settings) throws Exception {
        Map<String, String> cfg = new HashMap<>(Map.of(
                "port",
                "0",
                "host",
                "127.0.0.1",
                "data_dir",
                dir.toString(),
                "write_keys",
                writeKeys,
                "admin_key",
                adminKey,
                "loader.batch_wait",
                "100ms"));
        for (int i = 0; i + 1 < settings.length; i += 2) cfg.put(settings[i], settings[i + 1]);
        server = new Server(new ConfigLoader(Map.of()).load(null, cfg)).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
