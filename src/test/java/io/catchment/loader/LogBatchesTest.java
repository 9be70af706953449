package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.log.EventLog;
import io.catchment.log.local.LocalLog;
import io.catchment.sink.WriteBatch;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a loader starts: the offset the store recorded, checked against the log when offsets are the log's own; a
 * queue's process (SQS: offsets are its numbering of what it received) starts at its own start, whatever another
 * process recorded under the same consumer. Before session 14 a second SQS process that found the recorded offset past
 * its numbering refused to start.
 */
class LogBatchesTest {
    @TempDir
    Path dir;

    /** The local log, its offsets presented as one process's own numbering (as SqsReceiver's are). */
    private record OwnNumbering(LocalLog log) implements EventLog {
        public long append(byte[] record) throws IOException {
            return log.append(record);
        }

        public List<LogRecord> read(long from, int max, Duration wait) throws IOException, InterruptedException {
            return log.read(from, max, wait);
        }

        public void commit(long next) throws IOException {
            log.commit(next);
        }

        public long committedOffset() {
            return log.committedOffset();
        }

        public long endOffset() {
            return log.endOffset();
        }

        public long startOffset() {
            return log.startOffset();
        }

        public long sizeBytes() {
            return log.sizeBytes();
        }

        public boolean healthy() {
            return log.healthy();
        }

        public void close() throws IOException {
            log.close();
        }

        @Override
        public boolean offsetsAreShared() {
            return false;
        }
    }

    @Test
    void an_offset_recorded_past_the_log_refuses_a_shared_log_and_not_a_processs_own_numbering() throws Exception {
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 20, 1 << 24, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            for (int i = 0; i < 3; i++) log.append(("{\"event\":\"e" + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            // another process (or a lost log) recorded offset 36 for the consumer
            store.write(WriteBatch.offsetOnly(List.of(), "q", 36));
            assertThat(store.loadedOffset("q")).isEqualTo(36);
            assertThatThrownBy(() -> LogBatches.startOffset(store, log, "q"))
                    .hasMessageContaining("the store has loaded the log up to offset 36 but the log ends at 3");
            assertThat(LogBatches.startOffset(store, new OwnNumbering(log), "q"))
                    .isEqualTo(log.startOffset());
            assertThat(LogBatches.startOffset(store, log, "fresh")).isEqualTo(log.startOffset());
        }
    }
}
