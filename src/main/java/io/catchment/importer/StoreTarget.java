package io.catchment.importer;

import io.catchment.config.CatchmentConfig;
import io.catchment.deadletter.DeadLetter;
import io.catchment.loader.ImportWriter;
import io.catchment.schema.Router;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.SeparateDeadLetters;
import io.catchment.sink.Sink;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Straight into the store through the loader's path, checkpointed per member. */
public final class StoreTarget implements ImportTarget {
    final Sink sink;
    public final ImportWriter writer;

    public StoreTarget(Sink sink, CatchmentConfig cfg) {
        this.sink = sink;
        this.writer = new ImportWriter(
                sink,
                new Router(cfg.loader().layout(), cfg.loader().layoutBySource()),
                cfg.loader().maxFields(),
                cfg.loader().maxColumns(),
                new io.catchment.loader.Quarantine(cfg.dataDir().resolve("quarantine")));
    }

    public String describe() {
        if (sink instanceof SeparateDeadLetters s) {
            return "loading straight into the store (" + s.store().getClass().getSimpleName()
                    + ", dead letters on the dead-letter topic)";
        }
        return "loading straight into the store (" + sink.getClass().getSimpleName() + ")";
    }

    public Optional<ImportCheckpoint> resumeAt(String jobId, String member) {
        return sink.importCheckpoint(jobId, member);
    }

    public void batch(byte[] ndjson, long[] lines, int count, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad)
            throws Exception {
        writer.submit(ndjson, Arrays.copyOf(lines, count), checkpoints, bad);
    }

    public void finish() throws Exception {
        writer.finish();
    }

    public void close() {
        writer.close();
        try {
            sink.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
