package io.catchment.sink;

import io.catchment.deadletter.DeadLetterStore;
import io.catchment.schema.TableSchema;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A columnar store the loader writes to and the query API reads from.
 *
 * <p>Guarantees: {@link #write} is atomic: its schema changes, rows and the consumer's next offset (or an import's
 * checkpoints) all commit together or not at all, so a consumer that resumes from {@link #loadedOffset} (an import
 * from {@link #importCheckpoint}) neither skips nor repeats a record. A failed
 * write can be retried with the same arguments. One writing thread; the catalog is extended by the one loader thread
 * that prepares batches; queries from any thread.
 */
public interface Sink extends Closeable, DeadLetterStore {

    /** Tables and their columns as the store has them now (metadata tables, starting with {@code _}, left out). */
    Map<String, TableSchema> catalog();

    /** A fresh staging area for one part of a table's batch, in the store's bulk-load format. */
    TableBatch.Encoder stage(String table) throws IOException;

    /** Re-reads the catalog from the store, forgetting columns planned by batches that were never written. */
    void reloadCatalog() throws SinkException;

    /** The next log offset the consumer should read, or -1 when it never committed. */
    long loadedOffset(String consumer);

    /**
     * The last checkpoint committed for {@code member} of import job {@code jobId} (its row in {@code _imports}), or
     * empty when the job never wrote one for it.
     */
    Optional<ImportCheckpoint> importCheckpoint(String jobId, String member);

    /**
     * Applies the batch atomically: schema changes, rows, dead letters, the consumer's next offset and the import
     * checkpoints commit together or not at all. An event of {@code ids} whose id is already stored for the same UTC day of its timestamp is
     * skipped in every table, so no table ever holds two rows with one id on one day. A {@link SinkException} says
     * whether the same batch may succeed later (store away, locked, disk full) or never will (a value it refuses).
     *
     * @return rows skipped as duplicates, per table
     */
    Map<String, Long> write(WriteBatch batch) throws SinkException;

    /** The SQL dialect {@link #query} speaks. */
    enum Dialect {
        DUCKDB,
        CLICKHOUSE
    }

    Dialect dialect();

    /**
     * Runs the data statements of a layout upgrade ({@link LayoutUpgrade}) on the store's writing connection, in order;
     * DuckDB commits them together.
     */
    void upgrade(List<String> statements) throws SinkException;

    /**
     * Deletes the rows of {@code table} whose {@code timestamp} is before {@code before} (retention); returns how many,
     * or -1 when the store does not count them. ClickHouse drops whole monthly partitions that end before it.
     */
    long expire(String table, java.time.Instant before) throws SinkException;

    /** Runs one read-only statement, returning at most {@code maxRows} rows. */
    QueryResult query(String sql, int maxRows, Duration timeout) throws QueryException;

    /**
     * Like {@link #query(String, int, Duration)}, with {@code params} (strings, numbers, booleans or null) bound in
     * order to the statement's {@code ?} placeholders, so values never become SQL text of their own.
     */
    QueryResult query(String sql, java.util.List<Object> params, int maxRows, Duration timeout) throws QueryException;

    /** Runs statements for {@link #reading}: like {@link #query(String, List, int, Duration)}. */
    interface Reader {
        QueryResult query(String sql, List<Object> params, int maxRows, Duration timeout) throws QueryException;
    }

    /**
     * Runs {@code work} with a {@link Reader} for statements the server builds itself from the catalog with every value
     * bound (the analytics layer), never for a client's SQL text: they share one snapshot of the store, and skip the
     * parse that admits a client's statement, while the store still runs them read-only. A person's page is six small
     * statements, and on DuckDB that parse, the connection and the transaction of each cost more than the statement
     * (~4 ms each). The default runs each statement through {@link #query(String, List, int, Duration)}.
     */
    default <T> T reading(java.util.function.Function<Reader, T> work) throws QueryException {
        return work.apply(this::query);
    }

    boolean healthy();

    /**
     * Why the store cannot go on in this process, or null: the engine gave up on its database (DuckDB invalidates its
     * instance after an internal error, and every later statement fails) and only opening it again recovers it. The
     * committed state is intact; {@code catchment serve} stops with exit code 4 so that its supervisor restarts it, and
     * the log's events not yet loaded load after the restart.
     */
    default String broken() {
        return null;
    }

    /**
     * How many times stored rows were deleted or rewritten since this store was opened (retention, a layout upgrade),
     * when this process is the store's only writer; -1 when that is not known (ClickHouse: other processes write). The
     * analytics' bucket cache trusts a range's total row count to tell that none of its days changed only while this
     * number stays the same (rows are otherwise only ever added).
     */
    default long deletions() {
        return -1;
    }

    /** The saved dashboards, kept in this store ({@code _dashboards}). */
    io.catchment.dashboard.DashboardStore dashboards();
}
