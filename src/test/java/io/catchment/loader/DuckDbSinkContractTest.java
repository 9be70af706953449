package io.catchment.loader;

import io.catchment.schema.TableSchema;
import io.catchment.sink.Sink;
import io.catchment.sink.duckdb.DuckDbSink;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/** The {@link SinkContract} against the embedded DuckDB store. */
@Timeout(120)
class DuckDbSinkContractTest extends SinkContract {
    @Override
    Sink open(Path dir) throws Exception {
        return new DuckDbSink(
                dir, "256MB", "16MB", dedup, TableSchema.DEFAULT_MAX_COLUMNS, DuckDbSink.DEFAULT_BLOCK_SIZE);
    }

    @Override
    Sink reopen(Path dir) throws Exception {
        return open(dir);
    }
}
