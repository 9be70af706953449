package io.catchment.importer;

import io.catchment.deadletter.DeadLetter;
import io.catchment.sink.ImportCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where imported events go: the store directly ({@link StoreTarget}), the event log ({@link LogTarget}), or a running
 * server's API ({@link ApiTarget}). Used by one import on one thread.
 */
public interface ImportTarget extends AutoCloseable {
    String describe();

    /** Where an earlier run of the job stopped in this member (empty when the target keeps no checkpoints). */
    default Optional<ImportCheckpoint> resumeAt(String jobId, String member) {
        return Optional.empty();
    }

    /**
     * A batch of canonical events, one per line of {@code ndjson}; {@code lines[i]} is the source line of event i;
     * {@code checkpoints} are those of the members the batch ends or ends in (a target that keeps none ignores them);
     * {@code bad} the lines that could not be mapped.
     */
    void batch(byte[] ndjson, long[] lines, int count, List<ImportCheckpoint> checkpoints, List<DeadLetter> bad)
            throws Exception;

    /** Waits until everything handed over is written (nothing to wait for when the target writes as it goes). */
    default void finish() throws Exception {}

    @Override
    void close() throws Exception;

    /** Splits NDJSON at line ends into pieces of at most about {@code max} bytes. */
    static List<byte[]> chunks(byte[] ndjson, int max) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        while (start < ndjson.length) {
            int end = Math.min(ndjson.length, start + max);
            if (end < ndjson.length) {
                int nl = end;
                while (nl > start && ndjson[nl - 1] != '\n') nl--;
                end = nl > start ? nl : end;
            }
            out.add(java.util.Arrays.copyOfRange(ndjson, start, end));
            start = end;
        }
        return out;
    }
}
