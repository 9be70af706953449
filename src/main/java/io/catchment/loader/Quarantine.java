package io.catchment.loader;

import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for dead letters the store will not record: {@code quarantine/dead-letters.ndjson} under the data
 * directory, one JSON object per event ({@code quarantined_at}, {@code event_id}, {@code table}, {@code reason},
 * {@code store_error}, {@code log_offset}, {@code event} as the exact text from the log), appended and fsynced before
 * the loader moves past the events, so a refusal of the dead-letter table can never stop loading or lose an event.
 * Each {@code event} is the canonical event exactly as the log held it. Thread-safe.
 */
public final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    public static final String FILE = "dead-letters.ndjson";

    private final Path dir;

    /** {@code dir} is created on first use. */
    public Quarantine(Path dir) {
        this.dir = dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** Appends the dead letters and fsyncs them; throws when the file cannot be written. */
    public synchronized void add(List<DeadLetter> letters, String storeError) throws IOException {
        if (letters.isEmpty()) return;
        Files.createDirectories(dir);
        StringBuilder out = new StringBuilder();
        String now = java.time.Instant.now().toString();
        for (DeadLetter d : letters) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("quarantined_at", now);
            m.put("event_id", d.eventId());
            m.put("table", d.table());
            m.put("reason", d.reason());
            m.put("store_error", storeError);
            m.put("log_offset", d.logOffset());
            m.put("event", d.event());
            out.append(EventJson.MAPPER.writeValueAsString(m)).append('\n');
        }
        try (FileChannel ch = FileChannel.open(
                file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        LOG.error(
                "The store would not record {} dead letters ({}); kept them in {}", letters.size(), storeError, file());
    }
}
