package io.catchment.sink.duckdb;

import io.catchment.schema.Router;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.Dedup;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.SeenIds;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.TextStage;
import io.catchment.sink.UserUpdate;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link Sink}: one DuckDB database file, {@code DATA_DIR/catchment.duckdb}.
 *
 * <p>After a failed write nothing of it is visible; the in-memory catalog keeps the batch's intended columns, and the
 * caller retries the same batch (every DDL statement is idempotent). Writes stage each table's rows as a CSV file under {@code DATA_DIR/staging} and load it with {@code read_csv}
 * inside the same transaction as the schema changes and the consumer offset ({@code _catchment_offsets}). The database
 * is opened with external access disabled except for the staging directory, and its configuration locked, so queries
 * cannot read or write other files. One writer thread; queries run concurrently on duplicated connections, each in a
 * read-only transaction (MVCC: they see committed batches only; see {@link DuckDbQueries}). Opening the file is
 * {@link DuckDbFile}; the batch's parts are {@link DuckDbSchema}, {@link DuckDbDedup}, {@link DuckDbUsers},
 * {@link DuckDbOffsets} and {@link DuckDbDeadLetters}.
 */
public final class DuckDbSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSink.class);
    public static final long DEFAULT_BLOCK_SIZE = 16 << 10;
    /** The catalog name of the store in SQL (what DuckDB calls a database opened from catchment.duckdb). */
    public static final String CATALOG = "catchment";

    private final DuckDBConnection conn;
    private final Path staging;
    private final Map<String, TableSchema> catalog = new ConcurrentHashMap<>();
    private final DuckDbQueries queries;
    private volatile boolean open = true;
    /** Why DuckDB gave up on the database ({@link #broken()}), or null. */
    private volatile String broken;
    /** {@link #deletions()}: retention deletes and layout upgrades since open. */
    private final java.util.concurrent.atomic.AtomicLong deletions = new java.util.concurrent.atomic.AtomicLong();

    private final DuckDbDedup dedup; // null when off
    private final int maxColumns;
    private DuckDbDeadLetters deadLetters;
    private DuckDbDashboards dashboards;
    private final java.util.concurrent.atomic.AtomicLong stageSeq = new java.util.concurrent.atomic.AtomicLong();
    private final DuckDbMemory memory;
    private final DuckDbSchema schema;
    private final DuckDbPersonIndex personIndex = new DuckDbPersonIndex();

    public DuckDbSink(Path dataDir, String memoryLimit, String checkpointThreshold) throws SQLException, IOException {
        this(dataDir, memoryLimit, checkpointThreshold, true, TableSchema.DEFAULT_MAX_COLUMNS, DEFAULT_BLOCK_SIZE);
    }

    public DuckDbSink(
            Path dataDir, String memoryLimit, String checkpointThreshold, boolean dedup, int maxColumns, long blockSize)
            throws SQLException, IOException {
        this(dataDir, memoryLimit, checkpointThreshold, Dedup.of(dedup), maxColumns, blockSize);
    }

    public DuckDbSink(
            Path dataDir, String memoryLimit, String checkpointThreshold, Dedup dedup, int maxColumns, long blockSize)
            throws SQLException, IOException {
        this(dataDir, memoryLimit, checkpointThreshold, dedup, maxColumns, blockSize, 0);
    }

    /**
     * @param blockSize the block size of the database file when this creates it; an existing file keeps its own
     * @param threads DuckDB's worker threads (0: DuckDB's default, one per core)
     */
    public DuckDbSink(
            Path dataDir,
            String memoryLimit,
            String checkpointThreshold,
            Dedup dedup,
            int maxColumns,
            long blockSize,
            int threads)
            throws SQLException, IOException {
        this.maxColumns = maxColumns;
        Files.createDirectories(dataDir);
        staging = dataDir.resolve("staging").toAbsolutePath();
        Path tmp = dataDir.resolve("tmp").toAbsolutePath();
        Path file = dataDir.resolve("catchment.duckdb").toAbsolutePath();
        conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        memory = new DuckDbMemory(conn, memoryLimit);
        schema = new DuckDbSchema(conn);
        DuckDbFile.attach(conn, file, blockSize);
        TextStage.recreate(staging);
        Files.createDirectories(tmp);
        DuckDbFile.configure(conn, memoryLimit, checkpointThreshold, threads, tmp, staging);
        DuckDbFile.createTables(conn);
        conn.setAutoCommit(false);
        deadLetters = new DuckDbDeadLetters(conn);
        dashboards = new DuckDbDashboards(conn, this);
        conn.commit();
        readCatalog();
        this.dedup = dedup.enabled() ? new DuckDbDedup(conn, dedup, staging) : null;
        if (this.dedup != null && catalog.containsKey(Router.EVENTS)) this.dedup.preload();
        queries = new DuckDbQueries(conn);
        LOG.info("DuckDB store open at {} ({} tables)", file, catalog.size());
    }

    /** Re-reads tables and columns from the database, dropping whatever a failed batch had planned. */
    @Override
    public synchronized void reloadCatalog() throws SinkException {
        try {
            readCatalog();
        } catch (SQLException e) {
            throw new SinkException("cannot read the catalog: " + e.getMessage(), e, DuckDbErrors.isTransient(e));
        }
    }

    private void readCatalog() throws SQLException {
        Map<String, TableSchema> read = schema.readCatalog(maxColumns);
        catalog.clear();
        catalog.putAll(read);
    }

    @Override
    public Map<String, TableSchema> catalog() {
        return catalog;
    }

    /** Synchronized like {@link #write}: the connection is not thread-safe, and an import asks while it writes. */
    @Override
    public synchronized long loadedOffset(String consumer) {
        try {
            long v = DuckDbOffsets.offset(conn, consumer);
            conn.commit();
            return v;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the loader offset from DuckDB", e);
        }
    }

    @Override
    public synchronized Optional<ImportCheckpoint> importCheckpoint(String jobId, String member) {
        try {
            Optional<ImportCheckpoint> c = DuckDbOffsets.checkpoint(conn, jobId, member);
            conn.commit();
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the checkpoint of import " + jobId + " member " + member + " from DuckDB", e);
        }
    }

    /** Turns on {@code duckdb.person_index} ({@link DuckDbPersonIndex}); returns the tables it indexed now. */
    public synchronized List<String> indexPeople() throws SinkException {
        try {
            return personIndex.enable(conn);
        } catch (SQLException e) {
            noteBroken(e);
            rollback();
            throw new SinkException("DuckDB could not index person_key: " + e.getMessage(), e, false);
        }
    }

    /** Stages a part of a table's batch as a CSV file in the staging directory. */
    public TableBatch.Encoder stage(String table) throws IOException {
        return new CsvStage(staging.resolve(table + "-" + stageSeq.incrementAndGet() + ".csv"));
    }

    @Override
    public synchronized Map<String, Long> write(WriteBatch w) throws SinkException {
        List<SchemaChange> changes = w.changes();
        List<TableBatch> batches = w.tables();
        TableBatch ids = w.ids();
        Map<String, Long> duplicates = new LinkedHashMap<>();
        try (Statement s = conn.createStatement()) {
            long t0 = System.nanoTime();
            boolean eventsExisted = storedBefore(Router.EVENTS, changes);
            java.util.Set<String> unindexed = personIndex.beforeChanges(s, changes);
            schema.applySchema(s, changes);
            personIndex.afterChanges(s, changes, unindexed);
            long t1 = System.nanoTime();
            SeenIds.Check check = dedup != null && ids != null ? dedup.check(ids, eventsExisted) : null;
            boolean filter = check != null && dedup.findDuplicates(s, check) > 0;
            deadLetters.add(conn, w.deadLetters());
            long t2 = System.nanoTime();
            List<UserUpdate> users = new java.util.ArrayList<>(w.users());
            var refused = DuckDbRejects.load(conn, s, batches, ids, filter, w.refusals(), users, duplicates);
            long tr = System.nanoTime();
            deadLetters.add(conn, refused);
            long tu = System.nanoTime();
            DuckDbUsers.merge(conn, users, staging.resolve("users-" + stageSeq.incrementAndGet() + ".csv"));
            long t3 = System.nanoTime();
            DuckDbSchema.touchColumns(s, batches);
            long t4 = System.nanoTime();
            DuckDbOffsets.record(conn, w);
            conn.commit();
            if (check != null) dedup.committed(check);
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "write: schema {} changes {} ms, dedup {} ms, insert {} ms ({} refused events set aside), dead letters {} ms, users {} ({} ms), "
                                + "columns {} ms, commit {} ms",
                        changes.size(),
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (tr - t2) / 1_000_000,
                        refused.size(),
                        (tu - tr) / 1_000_000,
                        w.users().size(),
                        (t3 - tu) / 1_000_000,
                        (t4 - t3) / 1_000_000,
                        (System.nanoTime() - t4) / 1_000_000);
            }
        } catch (SQLException | IOException | RuntimeException e) {
            if (String.valueOf(e.getMessage()).startsWith("Out of Memory"))
                LOG.warn("DuckDB memory: {}", memory.memory());
            rollback();
            throw new SinkException(
                    "DuckDB write of " + batches.size() + " tables failed: " + e.getMessage(),
                    e,
                    DuckDbErrors.isTransient(e),
                    DuckDbErrors.culprit(e));
        }
        SchemaChange.logCommitted(changes);
        w.discard();
        memory.checkpointIfMemoryHigh();
        return duplicates;
    }

    private void rollback() {
        try {
            conn.rollback();
            memory.checkpoint(); // memory held by data not yet checkpointed is what a retry needs
        } catch (SQLException e) {
            LOG.error("DuckDB rollback failed", e);
            noteBroken(e);
        }
    }

    /** Whether {@code table} is in the store already (not just planned by this batch). */
    private boolean storedBefore(String table, List<SchemaChange> changes) {
        if (!catalog.containsKey(table)) return false;
        for (SchemaChange c : changes) {
            if (c.kind() == SchemaChange.Kind.CREATE_TABLE && c.table().equals(table)) return false;
        }
        return true;
    }

    @Override
    public synchronized List<Entry> deadLetters(Filter filter, int limit) {
        return deadLetters.list(filter, limit);
    }

    @Override
    public synchronized int markReplayed(List<String> keys) {
        return deadLetters.markReplayed(keys);
    }

    @Override
    public synchronized int purge(Filter filter) {
        return deadLetters.purge(filter);
    }

    @Override
    public synchronized long pendingDeadLetters() {
        return deadLetters.pending();
    }

    @Override
    public QueryResult query(String sql, int maxRows, Duration timeout) {
        return query(sql, List.of(), maxRows, timeout);
    }

    @Override
    public QueryResult query(String sql, List<Object> params, int maxRows, Duration timeout) {
        if (!open) throw new QueryException(QueryException.Reason.UNAVAILABLE, "the store is closed");
        try {
            return queries.run(sql, params, maxRows, timeout);
        } catch (QueryException e) {
            noteBroken(e);
            throw e;
        }
    }

    @Override
    public <T> T reading(java.util.function.Function<Reader, T> work) {
        if (!open) throw new QueryException(QueryException.Reason.UNAVAILABLE, "the store is closed");
        try {
            return queries.reading(work);
        } catch (QueryException e) {
            noteBroken(e);
            throw e;
        }
    }

    /** A connection like the ones queries run on, for tests of what the engine allows there. */
    Connection queryConnection() throws SQLException {
        return queries.open();
    }

    @Override
    public Dialect dialect() {
        return Dialect.DUCKDB;
    }

    @Override
    public synchronized void upgrade(List<String> statements) throws SinkException {
        if (dedup != null) dedup.clear(); // rows written around the loader: the id sets are built again
        deletions.incrementAndGet();
        DuckDbFile.run(conn, statements);
        deletions.incrementAndGet();
        memory.checkpointIfMemoryHigh(); // rows not yet checkpointed are held in memory, as after a write
    }

    @Override
    public synchronized long expire(String table, java.time.Instant before) throws SinkException {
        long deleted = DuckDbFile.deleteBefore(conn, table, before, memory::checkpoint);
        if (deleted != 0) deletions.incrementAndGet();
        return deleted;
    }

    @Override
    public long deletions() {
        return deletions.get();
    }

    @Override
    public boolean healthy() {
        return open && broken == null;
    }

    @Override
    public String broken() {
        return broken;
    }

    /** Marks the store broken when {@code e} says DuckDB gave up on the database (logged once). */
    void noteBroken(Throwable e) {
        if (broken != null || !DuckDbErrors.isBroken(e)) return;
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        broken = "DuckDB invalidated the database after an internal error (" + first + ")";
        LOG.error(
                "{}: every statement fails until the database is opened again; restart Catchment (serve stops by "
                        + "itself). The committed data is intact and the log keeps every event not yet loaded.",
                broken);
    }

    @Override
    public synchronized void close() {
        open = false;
        queries.close();
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("Closing DuckDB failed", e);
        }
    }

    @Override
    public io.catchment.dashboard.DashboardStore dashboards() {
        return dashboards;
    }
}
