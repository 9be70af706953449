package io.catchment.sink.duckdb;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Router;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.TextStage;
import io.catchment.sink.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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
 * read-only transaction (MVCC: they see committed batches only; see {@link DuckDbQueries}).
 */
public final class DuckDbSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbSink.class);
    public static final long DEFAULT_BLOCK_SIZE = 16 << 10;
    /**
     * Rows per row group (DuckDB's default is 122,880). A loader batch then fills whole row groups, which DuckDB writes
     * to the database file as the batch inserts them (its "optimistic" write path): the commit logs only pointers to
     * them, and the next checkpoint has little left to write. With the default, every table's batch stayed in memory,
     * was copied into the WAL at commit and rewritten at each checkpoint, and a checkpoint rewrote every row group that
     * had gained rows: 1M mixed events 69,355 events/s (checkpoint 3.4 s) against 89,175 (DuckDB 2.0.0.1, same
     * machine and session). That path lost exactness after {@code kill -9} on DuckDB 1.5.2 (a batch's uncommitted rows
     * recovered from the file, so a replay stored them twice; duckdb/duckdb#25931, merged for 2.0); CrashIT guards it.
     * Session 9 went from 16,384 to 4,096: a batch spread over many event tables gives each only a few thousand rows
     * (100,000 real-shaped events over 16 tables: 6,250 each), which stayed under a row group and were copied into the
     * WAL at commit, 1.8–4.3 s per batch for wide tables; with 4,096 the commit is 0.1 s and the real-shaped load went
     * from 8,231 to 12,759 events/s in one session (ratio to read_json 0.83 → 1.21); mixed events are unchanged within
     * the noise, on disk +2–8% (BENCHMARKS.md, session 9).
     */
    static final int ROW_GROUP_SIZE = 4_096;
    /** The catalog name of the store in SQL (what DuckDB calls a database opened from catchment.duckdb). */
    public static final String CATALOG = "catchment";

    private final DuckDBConnection conn;
    private final Path staging;
    private final Map<String, TableSchema> catalog = new ConcurrentHashMap<>();
    private final DuckDbQueries queries;
    private volatile boolean open = true;
    private final boolean dedup;
    private final int maxColumns;
    private DuckDbDeadLetters deadLetters;
    private final java.util.concurrent.atomic.AtomicLong stageSeq = new java.util.concurrent.atomic.AtomicLong();
    private final DuckDbMemory memory;
    private final DuckDbSchema schema;

    public DuckDbSink(Path dataDir, String memoryLimit, String checkpointThreshold) throws SQLException, IOException {
        this(dataDir, memoryLimit, checkpointThreshold, true, TableSchema.DEFAULT_MAX_COLUMNS, DEFAULT_BLOCK_SIZE);
    }

    /** @param blockSize the block size of the database file when this creates it; an existing file keeps its own */
    public DuckDbSink(
            Path dataDir, String memoryLimit, String checkpointThreshold, boolean dedup, int maxColumns, long blockSize)
            throws SQLException, IOException {
        this.dedup = dedup;
        this.maxColumns = maxColumns;
        Files.createDirectories(dataDir);
        staging = dataDir.resolve("staging").toAbsolutePath();
        Path tmp = dataDir.resolve("tmp").toAbsolutePath();
        Path file = dataDir.resolve("catchment.duckdb").toAbsolutePath();
        conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        memory = new DuckDbMemory(conn, memoryLimit);
        schema = new DuckDbSchema(conn);
        try (Statement s = conn.createStatement()) {
            // attached rather than opened, for the storage options; the catalog keeps the file's name, as when opened.
            // Attaching takes DuckDB's file lock: only then is the staging directory this process's to empty
            // the block size is chosen when the file is created; an existing file keeps its own (DuckDB refuses
            // another).
            // ROW_GROUP_SIZE is an attach option, given at every attach
            s.execute("ATTACH '" + file.toString().replace("'", "''") + "' AS " + CATALOG + " ("
                    + (Files.exists(file) ? "" : "BLOCK_SIZE " + blockSize + ", ") + "ROW_GROUP_SIZE " + ROW_GROUP_SIZE
                    + ")");
            s.execute("USE " + CATALOG);
        } catch (SQLException e) {
            conn.close();
            if (DuckDbErrors.isLockConflict(e)) {
                throw new io.catchment.InUseException(
                        "the store " + file + " is in use by another process: " + e.getMessage(), e);
            }
            throw e;
        }
        TextStage.recreate(staging);
        Files.createDirectories(tmp);
        try (Statement s = conn.createStatement()) {
            s.execute("SET GLOBAL TimeZone = 'UTC'");
            s.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
            s.execute("SET temp_directory = '" + tmp.toString().replace("'", "''") + "'");
            s.execute("SET allowed_directories = ['" + staging.toString().replace("'", "''") + "/']");
            s.execute("SET checkpoint_threshold = '" + checkpointThreshold.replace("'", "") + "'");
            s.execute("SET preserve_insertion_order = false");
            s.execute("SET autoinstall_known_extensions = false");
            s.execute("SET autoload_known_extensions = false");
            s.execute("SET allow_community_extensions = false");
            s.execute("SET enable_external_access = false");
            // last: from here on no connection, the query connections included, can change a setting
            s.execute("SET lock_configuration = true");
            DuckDbOffsets.create(s);
            s.execute("CREATE TABLE IF NOT EXISTS _schema_changes (changed_at TIMESTAMPTZ DEFAULT current_timestamp, "
                    + "table_name VARCHAR, column_name VARCHAR, change VARCHAR, old_type VARCHAR, new_type VARCHAR, "
                    + "reason VARCHAR, event_id VARCHAR, source VARCHAR)");
            s.execute("CREATE TABLE IF NOT EXISTS users (user_id VARCHAR PRIMARY KEY, traits JSON, trait_times JSON, "
                    + "first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, updated_at TIMESTAMPTZ)");
            s.execute(
                    "CREATE TABLE IF NOT EXISTS _columns (table_name VARCHAR, column_name VARCHAR, source VARCHAR, "
                            + "type VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, PRIMARY KEY (table_name, column_name))");
        }
        conn.setAutoCommit(false);
        deadLetters = new DuckDbDeadLetters(conn);
        conn.commit();
        readCatalog();
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
        Map<String, Map<String, ColumnType>> tables = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                + "WHERE table_schema = 'main' AND table_name NOT LIKE '\\_%' ESCAPE '\\' AND table_name <> 'users' "
                                + "ORDER BY table_name, ordinal_position")) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .put(rs.getString(2), ColumnType.fromSql(rs.getString(3)));
            }
        }
        Map<String, Map<String, String>> sources = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT table_name, column_name, source FROM _columns WHERE source IS NOT NULL")) {
            while (rs.next())
                sources.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .put(rs.getString(2), rs.getString(3));
        }
        conn.commit();
        catalog.clear();
        tables.forEach((t, cols) ->
                catalog.put(t, new TableSchema(t, cols, sources.getOrDefault(t, Map.of()), maxColumns)));
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
            schema.applySchema(s, changes);
            long t1 = System.nanoTime();
            boolean filter = dedup && eventsExisted && ids != null && DuckDbDedup.findDuplicates(s, ids) > 0;
            deadLetters.add(conn, w.deadLetters());
            long t2 = System.nanoTime();
            for (TableBatch b : batches) {
                long inserted = 0;
                for (TableBatch.Part part : b.parts()) {
                    long ts = System.nanoTime();
                    inserted += s.executeUpdate(DuckDbDedup.insertSql(b.table(), part, filter));
                    if (LOG.isDebugEnabled() && System.nanoTime() - ts > 50_000_000L) {
                        LOG.debug(
                                "slow insert into {}: {} rows, {} columns, ragged {}, {} ms",
                                b.table(),
                                part.rows(),
                                part.columns().size(),
                                part.ragged(),
                                (System.nanoTime() - ts) / 1_000_000);
                    }
                }
                duplicates.put(b.table(), b.rows() - inserted);
            }
            long tu = System.nanoTime();
            DuckDbUsers.merge(conn, w.users(), staging.resolve("users-" + stageSeq.incrementAndGet() + ".csv"));
            long t3 = System.nanoTime();
            DuckDbSchema.touchColumns(s, batches);
            long t4 = System.nanoTime();
            DuckDbOffsets.record(conn, w);
            conn.commit();
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "write: schema {} changes {} ms, dedup {} ms, insert {} ms, users {} ({} ms), columns {} ms, "
                                + "commit {} ms",
                        changes.size(),
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (tu - t2) / 1_000_000,
                        w.users().size(),
                        (t3 - tu) / 1_000_000,
                        (t4 - t3) / 1_000_000,
                        (System.nanoTime() - t4) / 1_000_000);
            }
        } catch (SQLException | RuntimeException e) {
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
        if (!open) throw new QueryException(QueryException.Reason.UNAVAILABLE, "the store is closed");
        return queries.run(sql, maxRows, timeout);
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
    public boolean healthy() {
        return open;
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
}
