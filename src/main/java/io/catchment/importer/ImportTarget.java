package io.catchment.importer;

import io.catchment.deadletter.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where imported events go: the store directly ({@link StoreTarget}), the event log ({@link LogTarget}), or a running
 * server's API ({@link ApiTarget}). Used by one import on one thread.
 */
public interface ImportTarget extends AutoCloseable {
    String describe();

    /** Lines already imported from this member's checkpoint (0 when the target keeps none). */
    default long resumeAt(String consumer) {
        return 0;
    }

    /**
     * A batch of canonical events; {@code consumer}/{@code nextLine} is the checkpoint of the member it ends in,
     * {@code finished} those of members that ended earlier in the batch.
     */
    void batch(
            String consumer,
            byte[] ndjson,
            long[] lines,
            int count,
            long nextLine,
            Map<String, Long> finished,
            List<DeadLetter> bad)
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
