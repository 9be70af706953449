package io.catchment.importer;

import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Bad lines when the store is not reachable directly: {@code DATA_DIR/import-<job>-rejected.ndjson}. */
final class Rejects implements AutoCloseable {
    final Path file;
    Writer out;

    Rejects(Path data, String jobId) {
        this.file = data.resolve("import-" + jobId + "-rejected.ndjson");
    }

    void add(List<DeadLetter> bad) throws IOException {
        if (bad.isEmpty()) return;
        if (out == null) out = Files.newBufferedWriter(file);
        for (DeadLetter d : bad) {
            out.write(EventJson.MAPPER.writeValueAsString(Map.of("reason", d.reason(), "line", d.event())));
            out.write('\n');
        }
    }

    public void close() throws IOException {
        if (out != null) {
            out.close();
            System.err.println("bad lines written to " + file);
        }
    }
}
