package io.catchment.importer;

import io.catchment.config.CatchmentConfig;
import io.catchment.deadletter.DeadLetter;
import io.catchment.loader.ImportWriter;
import io.catchment.schema.Router;
import io.catchment.sink.Sink;
import java.io.IOException;
import java.util.List;
import java.util.Map;

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
        return "loading straight into the store (" + sink.getClass().getSimpleName() + ")";
    }

    public long resumeAt(String consumer) {
        return Math.max(0, sink.loadedOffset(consumer));
    }

    public void batch(
            String consumer,
            byte[] ndjson,
            long[] lines,
            int count,
            long nextLine,
            Map<String, Long> finished,
            List<DeadLetter> bad)
            throws Exception {
        writer.submit(ndjson, java.util.Arrays.copyOf(lines, count), consumer, nextLine, finished, bad);
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
