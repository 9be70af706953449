package io.catchment.sink.clickhouse;

import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.Dedup;
import io.catchment.sink.ImportCheckpoint;
import io.catchment.sink.QueryException;
import io.catchment.sink.QueryResult;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import io.catchment.sink.TextStage;
import io.catchment.sink.WriteBatch;
import io.catchment.sink.clickhouse.ClickHouse.ClickHouseFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-out {@link Sink}: one ClickHouse database, shared by any number of loaders on any number of machines.
 *
 * <p>ClickHouse has no transactions, so the guarantees of {@link Sink#write} are kept by order and idempotence rather
 * than atomicity: schema changes first (idempotent DDL, then read back: a column another loader created with another
 * type makes the write fail for good, and the loader re-plans the batch against the new catalog), then dead letters,
 * then each table's rows without those already stored (per table, same id and same UTC day, so a batch cut short by a
 * crash is completed, not repeated, when it is written again), then user traits, then the consumer offset and the
 * import checkpoints last. A crash anywhere leaves a batch that the next write of it completes. The tables are {@code ReplacingMergeTree}s whose
 * sorting key ends with the id within the day, so merges collapse any duplicate that two loaders racing on the same
 * event could still insert: a second line, not the rule.
 *
 * <p>Column types: each column's Catchment type (and the JSON key it holds) is its ClickHouse COMMENT, written in the
 * same ALTER as the column, so the catalog survives any loader's death without a side table.
 */
public final class ClickHouseSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final String db;
    private final Path staging;
    private final Dedup dedup;
    private final int maxColumns;
    private final Map<String, TableSchema> catalog = new ConcurrentHashMap<>();
    private final ClickHouseDeadLetters deadLetters;
    private final ClickHouseDashboards dashboards;
    private final String idsTable;
    private final ClickHouseDedup dedupCheck;
    private final ClickHouseUsers users;
    private final ClickHouseOffsets offsets;
    private final ClickHouseSchema schema;
    private final java.util.concurrent.atomic.AtomicLong stageSeq = new java.util.concurrent.atomic.AtomicLong();
    /** Increasing row versions for the ReplacingMergeTree metadata tables. */
    private final java.util.function.LongSupplier nextVersion = ClickHouse.versions();

    private volatile boolean open = true;
    private final long queryMaxMemory;
    private final ClickHouseInserts inserts;

    /** Queries may use {@link ClickHouseQueries#DEFAULT_MAX_MEMORY} bytes of the server's memory. */
    public ClickHouseSink(
            String url,
            String database,
            String user,
            String password,
            String cluster,
            Path dataDir,
            boolean dedup,
            int maxColumns)
            throws IOException {
        this(
                url,
                database,
                user,
                password,
                cluster,
                dataDir,
                Dedup.of(dedup),
                maxColumns,
                ClickHouseQueries.DEFAULT_MAX_MEMORY);
    }

    /** @param queryMaxMemory ClickHouse's {@code max_memory_usage} for each query of {@link #query} */
    public ClickHouseSink(
            String url,
            String database,
            String user,
            String password,
            String cluster,
            Path dataDir,
            Dedup dedup,
            int maxColumns,
            long queryMaxMemory)
            throws IOException {
        this.queryMaxMemory = queryMaxMemory;
        this.ch = new ClickHouse(url, user, password);
        this.db = database;
        this.ddl = new ClickHouseDdl(database, ch.modern(), cluster);
        this.schema = new ClickHouseSchema(ch, ddl, database);
        this.dedup = dedup;
        this.maxColumns = maxColumns;
        this.staging = dataDir.resolve("staging-clickhouse").toAbsolutePath();
        TextStage.recreate(staging);
        try {
            for (String sql : ddl.metadata()) ch.execute(sql);
            idsTable = "_ids_" + Long.toHexString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE);
            ch.execute(ddl.idsTable(idsTable));
            dedupCheck = new ClickHouseDedup(ch, ddl, idsTable, dedup, staging, this::eventTables);
            inserts = new ClickHouseInserts(dedupCheck);
            users = new ClickHouseUsers(ch, ddl, nextVersion);
            offsets = new ClickHouseOffsets(ch, ddl, nextVersion);
            deadLetters = new ClickHouseDeadLetters(ch, database, nextVersion);
            dashboards = new ClickHouseDashboards(ch, database, nextVersion);
            reloadCatalog();
            if (dedup.enabled() && catalog.containsKey(io.catchment.schema.Router.EVENTS)) dedupCheck.preload();
        } catch (ClickHouseFailure e) {
            ch.close();
            throw new IOException(e.getMessage(), e);
        }
        LOG.info(
                "ClickHouse store {} at {} (server {}, {} types{}, {} tables)",
                database,
                url,
                ch.version(),
                ch.modern() ? "modern" : "compatible",
                cluster.isEmpty() ? "" : ", cluster " + cluster,
                catalog.size());
    }

    @Override
    public Map<String, TableSchema> catalog() {
        return catalog;
    }

    /** The stored tables with a row per event (an id and a timestamp). */
    private Set<String> eventTables() {
        Set<String> out = new java.util.TreeSet<>();
        catalog.forEach((name, t) -> {
            if (t.columns().containsKey("id") && t.columns().containsKey("timestamp")) out.add(name);
        });
        return out;
    }

    @Override
    public TableBatch.Encoder stage(String table) throws IOException {
        return new TsvStage(staging.resolve(table + "-" + stageSeq.incrementAndGet() + ".tsv"));
    }

    @Override
    public synchronized void reloadCatalog() {
        Map<String, TableSchema> fresh = schema.readCatalog(maxColumns);
        catalog.clear();
        catalog.putAll(fresh);
    }

    @Override
    public long loadedOffset(String consumer) {
        try {
            return offsets.offset(consumer);
        } catch (ClickHouseFailure e) {
            throw new IllegalStateException("cannot read the loader offset from ClickHouse: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ImportCheckpoint> importCheckpoint(String jobId, String member) {
        try {
            return offsets.checkpoint(jobId, member);
        } catch (ClickHouseFailure e) {
            throw new IllegalStateException(
                    "cannot read the checkpoint of import " + jobId + " member " + member + " from ClickHouse: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public synchronized Map<String, Long> write(WriteBatch w) throws SinkException {
        Map<String, Long> duplicates = new LinkedHashMap<>();
        try {
            long t0 = System.nanoTime();
            Set<String> created = schema.apply(w.changes());
            long t1 = System.nanoTime();
            deadLetters.add(w.deadLetters());
            Map<String, Set<String>> stored =
                    dedup.enabled() && w.ids() != null ? dedupCheck.storedIds(w, created) : Map.of();
            long t2 = System.nanoTime();
            duplicates.putAll(inserts.insert(w.tables(), stored));
            long t3 = System.nanoTime();
            users.merge(w.users());
            offsets.record(w);
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "write: schema {} changes {} ms, dedup {} ms, insert {} ms, users+offsets {} ms",
                        w.changes().size(),
                        (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000,
                        (t3 - t2) / 1_000_000,
                        (System.nanoTime() - t3) / 1_000_000);
            }
        } catch (ClickHouseFailure e) {
            throw new SinkException(
                    "ClickHouse write of " + w.tables().size() + " tables failed: " + e.getMessage(),
                    e,
                    e.transientFailure);
        } catch (IOException | RuntimeException e) {
            throw new SinkException("ClickHouse write failed: " + e, e, true);
        }
        SchemaChange.logCommitted(w.changes());
        w.discard();
        return duplicates;
    }

    @Override
    public QueryResult query(String sql, int maxRows, Duration timeout) {
        if (!open) throw new QueryException(QueryException.Reason.UNAVAILABLE, "the store is closed");
        return ClickHouseQueries.run(
                ch, ClickHouseQueries.settings(db, maxRows, timeout, queryMaxMemory), sql, maxRows, timeout);
    }

    @Override
    public QueryResult query(String sql, List<Object> params, int maxRows, Duration timeout) {
        return query(ClickHouseQueries.bind(sql, params), maxRows, timeout);
    }

    @Override
    public List<Entry> deadLetters(Filter filter, int limit) {
        return deadLetters.list(filter, limit);
    }

    @Override
    public int markReplayed(List<String> keys) {
        return deadLetters.markReplayed(keys);
    }

    @Override
    public int purge(Filter filter) {
        return deadLetters.purge(filter);
    }

    @Override
    public long pendingDeadLetters() {
        return deadLetters.pending();
    }

    @Override
    public synchronized void upgrade(List<String> statements) {
        dedupCheck.clear(); // rows written around the loader: the id sets are built again
        for (String sql : statements) ch.query(sql, Map.of("database", db), r -> true); // tables are the store's
    }

    @Override
    public synchronized long expire(String table, java.time.Instant before) {
        return ClickHouseRetention.expire(ch, ddl, db, table, before);
    }

    @Override
    public Dialect dialect() {
        return Dialect.CLICKHOUSE;
    }

    @Override
    public boolean healthy() {
        return open;
    }

    public String database() { // for SQL that qualifies tables
        return db;
    }

    @Override
    public synchronized void close() {
        if (!open) return;
        open = false;
        dedupCheck.dropIdsTable();
        inserts.close();
        ch.close();
    }

    @Override
    public io.catchment.dashboard.DashboardStore dashboards() {
        return dashboards;
    }
}
