package io.catchment.log;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The durable buffer between the collector and the loader. A record is the unit of atomicity: one accepted request's
 * events. Offsets are record positions, dense and increasing from 0.
 *
 * <p>Guarantees: when {@link #append} returns, the record survives a process or machine crash. Readers only ever see
 * durable records. {@link #commit} marks records as loaded; they may then be deleted (after the retention).
 * Implementations are thread-safe: many appenders, one reader.
 */
public interface EventLog extends Closeable {
    /** Largest record an implementation must accept. */
    int MAX_RECORD_BYTES = 64 << 20;

    /**
     * Appends one record and blocks until it is durable.
     *
     * @return the record's offset
     * @throws LogFullException when the disk quota is reached (retry later)
     * @throws IOException when the record could not be made durable; the log stays usable when it can
     */
    long append(byte[] record) throws IOException;

    /**
     * Appends one record whose events belong to {@code key} (a user): a partitioned log keeps one key's records in one
     * partition, in order. The local log has one partition and ignores it.
     */
    default long append(String key, byte[] record) throws IOException {
        return append(record);
    }

    /** Reads up to {@code max} records from {@code from}, waiting up to {@code wait} when none is there yet. */
    List<LogRecord> read(long from, int max, Duration wait) throws IOException, InterruptedException;

    /** Marks every record below {@code next} as loaded. */
    void commit(long next) throws IOException;

    long committedOffset();

    /** Offset the next appended record will get. */
    long endOffset();

    /** Oldest offset still readable. */
    long startOffset();

    /**
     * Whether the offsets are the log's own, the same for every reader (the local log, a Kafka partition): then an
     * offset the store recorded past the log's end means the log was lost, and loading resumes from the recorded
     * offset. False for a queue (SQS), whose offsets are numbers one process gives the messages it received: several
     * processes record theirs under one consumer, and each resumes from its own start.
     */
    default boolean offsetsAreShared() {
        return true;
    }

    long sizeBytes();

    /** False once the log hit an error it cannot recover from without a restart. */
    boolean healthy();

    /** One record as read back, with its offset. */
    record LogRecord(long offset, byte[] payload) {}
}
