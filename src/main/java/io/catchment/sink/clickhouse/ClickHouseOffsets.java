package io.catchment.sink.clickhouse;

import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Where readers of the store stand: log consumers' next offsets ({@code _catchment_offsets}) and import jobs'
 * checkpoints ({@code _imports}, one row per job and member), both {@code ReplacingMergeTree}s by {@code version}:
 * the row with the highest version is the current one. Written last in a batch, after its rows, so a checkpoint never
 * runs ahead of what is stored. Called under the sink's lock.
 */
final class ClickHouseOffsets {
    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final LongSupplier version;

    ClickHouseOffsets(ClickHouse ch, ClickHouseDdl ddl, LongSupplier version) {
        this.ch = ch;
        this.ddl = ddl;
        this.version = version;
    }

    /** Records the batch's consumer offset (when it has a consumer) and its import checkpoints. */
    void record(WriteBatch w) {
        long v = version.getAsLong();
        if (w.consumer() != null) {
            String row = ClickHouse.line(w.consumer(), w.nextOffset(), v);
            ch.insert(
                    ddl.q("_catchment_offsets"),
                    List.of("consumer", "next_offset", "version"),
                    out -> out.write(row.getBytes(StandardCharsets.UTF_8)));
        }
        if (w.imports().isEmpty()) return;
        StringBuilder rows = new StringBuilder();
        String now = Instant.now().toString();
        for (ImportCheckpoint c : w.imports()) {
            rows.append(ClickHouse.line(c.jobId(), c.member(), c.nextLine(), c.events(), c.deadLetters(), now, v));
        }
        ch.insert(
                ddl.q("_imports"),
                List.of("job_id", "member", "next_line", "events", "dead_letters", "updated_at", "version"),
                out -> out.write(rows.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The consumer's next offset, or -1. */
    long offset(String consumer) {
        List<String[]> r = ch.rows("SELECT count(), argMax(next_offset, version) FROM " + ddl.q("_catchment_offsets")
                + " WHERE consumer = " + ClickHouse.literal(consumer));
        return r.isEmpty() || r.get(0)[0].equals("0") ? -1 : Long.parseLong(r.get(0)[1]);
    }

    Optional<ImportCheckpoint> checkpoint(String jobId, String member) {
        List<String[]> r = ch.rows("SELECT count(), argMax(next_line, version), argMax(events, version), "
                + "argMax(dead_letters, version) FROM " + ddl.q("_imports") + " WHERE job_id = "
                + ClickHouse.literal(jobId) + " AND member = " + ClickHouse.literal(member));
        if (r.isEmpty() || r.get(0)[0].equals("0")) return Optional.empty();
        String[] c = r.get(0);
        return Optional.of(
                new ImportCheckpoint(jobId, member, Long.parseLong(c[1]), Long.parseLong(c[2]), Long.parseLong(c[3])));
    }
}
