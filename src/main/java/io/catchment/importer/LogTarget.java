package io.catchment.importer;

import io.catchment.deadletter.DeadLetter;
import io.catchment.sink.ImportCheckpoint;
import java.nio.file.Path;
import java.util.List;

/** Appends to the event log; a server loads it. Bad lines go to a file next to the data. */
public final class LogTarget implements ImportTarget {
    final io.catchment.log.EventLog log;
    final Rejects rejects;

    public LogTarget(io.catchment.log.EventLog log, Path data, String jobId) {
        this.log = log;
        this.rejects = new Rejects(data, jobId);
    }

    public String describe() {
        return "appending to the event log (a server loads it)";
    }

    public void batch(byte[] ndjson, long[] lines, int count, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad)
            throws Exception {
        for (byte[] chunk : ImportTarget.chunks(ndjson, io.catchment.log.EventLog.MAX_RECORD_BYTES / 2))
            log.append(chunk);
        rejects.add(bad);
    }

    public void close() throws Exception {
        rejects.close();
        log.close();
    }
}
