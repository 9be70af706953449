package io.catchment.sink.duckdb;

import io.catchment.sink.WriteBatch;
import io.catchment.sink.TextStage;
import io.catchment.sink.TableBatch;
import io.catchment.sink.SinkException;
import io.catchment.sink.Sink;
import io.catchment.sink.QueryResult;
import io.catchment.sink.QueryException;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.schema.Router;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
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
  private static final Logger SCHEMA_LOG = LoggerFactory.getLogger("catchment.schema");

  private final DuckDBConnection conn;
  private final Path staging;
  private final Map<String, TableSchema> catalog = new ConcurrentHashMap<>();
  private final DuckDbQueries queries;
  private volatile boolean open = true;
  private final boolean dedup;
  private final int maxColumns;
  private DuckDbDeadLetters deadLetters;
  private final java.util.concurrent.atomic.AtomicLong stageSeq = new java.util.concurrent.atomic.AtomicLong();
  /** Checkpoint when table data held in memory passes this many bytes (a third of DuckDB's memory limit). */
  private final long inMemoryCeiling;

  public DuckDbSink(Path dataDir, String memoryLimit, String checkpointThreshold) throws SQLException, IOException {
    this(dataDir, memoryLimit, checkpointThreshold, true, TableSchema.DEFAULT_MAX_COLUMNS, DEFAULT_BLOCK_SIZE);
  }

  /** @param blockSize the block size of the database file when this creates it; an existing file keeps its own */
  public DuckDbSink(Path dataDir, String memoryLimit, String checkpointThreshold, boolean dedup, int maxColumns,
      long blockSize) throws SQLException, IOException {
    this.dedup = dedup;
    this.maxColumns = maxColumns;
    this.inMemoryCeiling = sizeBytes(memoryLimit, 1L << 30) * 3 / 5;
    Files.createDirectories(dataDir);
    staging = dataDir.resolve("staging").toAbsolutePath();
    Path tmp = dataDir.resolve("tmp").toAbsolutePath();
    Path file = dataDir.resolve("catchment.duckdb").toAbsolutePath();
    conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = conn.createStatement()) {
      // attached rather than opened, for the storage options; the catalog keeps the file's name, as when opened.
      // Attaching takes DuckDB's file lock: only then is the staging directory this process's to empty
      // the block size is chosen when the file is created; an existing file keeps its own (DuckDB refuses another).
      // ROW_GROUP_SIZE is an attach option, given at every attach
      s.execute("ATTACH '" + file.toString().replace("'", "''") + "' AS " + CATALOG + " ("
          + (Files.exists(file) ? "" : "BLOCK_SIZE " + blockSize + ", ") + "ROW_GROUP_SIZE " + ROW_GROUP_SIZE + ")");
      s.execute("USE " + CATALOG);
    } catch (SQLException e) {
      conn.close();
      if (DuckDbErrors.isLockConflict(e)) {
        throw new io.catchment.InUseException("the store " + file + " is in use by another process: " + e.getMessage(), e);
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
      s.execute("CREATE TABLE IF NOT EXISTS _catchment_offsets (consumer VARCHAR PRIMARY KEY, next_offset BIGINT)");
      s.execute("CREATE TABLE IF NOT EXISTS _schema_changes (changed_at TIMESTAMPTZ DEFAULT current_timestamp, "
          + "table_name VARCHAR, column_name VARCHAR, change VARCHAR, old_type VARCHAR, new_type VARCHAR, "
          + "reason VARCHAR, event_id VARCHAR, source VARCHAR)");
      s.execute("CREATE TABLE IF NOT EXISTS _imports (job_id VARCHAR, member VARCHAR, next_line BIGINT, "
          + "events BIGINT, dead_letters BIGINT, updated_at TIMESTAMPTZ, PRIMARY KEY (job_id, member))");
      s.execute("CREATE TABLE IF NOT EXISTS users (user_id VARCHAR PRIMARY KEY, traits JSON, trait_times JSON, "
          + "first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, updated_at TIMESTAMPTZ)");
      s.execute("CREATE TABLE IF NOT EXISTS _columns (table_name VARCHAR, column_name VARCHAR, source VARCHAR, "
          + "type VARCHAR, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, PRIMARY KEY (table_name, column_name))");
    }
    conn.setAutoCommit(false);
    deadLetters = new DuckDbDeadLetters(conn);
    conn.commit();
    reloadCatalog();
    queries = new DuckDbQueries(conn);
    LOG.info("DuckDB store open at {} ({} tables)", file, catalog.size());
  }

  /** Re-reads tables and columns from the database, dropping whatever a failed batch had planned. */
  @Override
  public synchronized void reloadCatalog() throws SQLException {
    Map<String, Map<String, ColumnType>> tables = new LinkedHashMap<>();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_name, column_name, data_type FROM information_schema.columns "
            + "WHERE table_schema = 'main' AND table_name NOT LIKE '\\_%' ESCAPE '\\' AND table_name <> 'users' "
            + "ORDER BY table_name, ordinal_position")) {
      while (rs.next()) {
        tables.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
            .put(rs.getString(2), ColumnType.fromSql(rs.getString(3)));
      }
    }
    Map<String, Map<String, String>> sources = new LinkedHashMap<>();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_name, column_name, source FROM _columns WHERE source IS NOT NULL")) {
      while (rs.next()) sources.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
    }
    conn.commit();
    catalog.clear();
    tables.forEach((t, cols) -> catalog.put(t, new TableSchema(t, cols, sources.getOrDefault(t, Map.of()), maxColumns)));
  }

  @Override
  public Map<String, TableSchema> catalog() {
    return catalog;
  }

  /** Synchronized like {@link #write}: the connection is not thread-safe, and an import asks while it writes. */
  @Override
  public synchronized long loadedOffset(String consumer) {
    try (PreparedStatement ps = conn.prepareStatement("SELECT next_offset FROM _catchment_offsets WHERE consumer = ?")) {
      ps.setString(1, consumer);
      try (ResultSet rs = ps.executeQuery()) {
        long v = rs.next() ? rs.getLong(1) : -1;
        conn.commit();
        return v;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the loader offset from DuckDB", e);
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
      applySchema(s, changes);
      long t1 = System.nanoTime();
      boolean filter = dedup && eventsExisted && ids != null && findDuplicates(s, ids) > 0;
      deadLetters.add(conn, w.deadLetters());
      long t2 = System.nanoTime();
      for (TableBatch b : batches) {
        long inserted = 0;
        for (TableBatch.Part part : b.parts()) {
          long ts = System.nanoTime();
          inserted += s.executeUpdate(insertSql(b.table(), part, filter));
          if (LOG.isDebugEnabled() && System.nanoTime() - ts > 50_000_000L) {
            LOG.debug("slow insert into {}: {} rows, {} columns, ragged {}, {} ms", b.table(), part.rows(),
                part.columns().size(), part.ragged(), (System.nanoTime() - ts) / 1_000_000);
          }
        }
        duplicates.put(b.table(), b.rows() - inserted);
      }
      long tu = System.nanoTime();
      DuckDbUsers.merge(conn, w.users(), staging.resolve("users-" + stageSeq.incrementAndGet() + ".csv"));
      long t3 = System.nanoTime();
      touchColumns(s, batches);
      long t4 = System.nanoTime();
      Map<String, Long> offsets = new LinkedHashMap<>(w.otherOffsets());
      offsets.put(w.consumer(), w.nextOffset());
      try (PreparedStatement ps = conn.prepareStatement("INSERT OR REPLACE INTO _catchment_offsets VALUES (?, ?)")) {
        for (var o : offsets.entrySet()) {
          ps.setString(1, o.getKey());
          ps.setLong(2, o.getValue());
          ps.execute();
        }
      }
      for (var o : offsets.entrySet()) {
        if (o.getKey().startsWith(IMPORT_PREFIX)) {
          boolean main = o.getKey().equals(w.consumer());
          recordImport(o.getKey(), o.getValue(), main && w.ids() != null ? w.ids().rows() : 0,
              main ? w.deadLetters().size() : 0);
        }
      }
      conn.commit();
      if (LOG.isDebugEnabled()) {
        LOG.debug("write: schema {} changes {} ms, dedup {} ms, insert {} ms, users {} ({} ms), columns {} ms, "
            + "commit {} ms", changes.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (tu - t2) / 1_000_000,
            w.users().size(), (t3 - tu) / 1_000_000, (t4 - t3) / 1_000_000, (System.nanoTime() - t4) / 1_000_000);
      }
    } catch (SQLException | RuntimeException e) {
      if (String.valueOf(e.getMessage()).startsWith("Out of Memory")) LOG.warn("DuckDB memory: {}", memory());
      rollback();
      throw new SinkException("DuckDB write of " + batches.size() + " tables failed: " + e.getMessage(), e,
          DuckDbErrors.isTransient(e), DuckDbErrors.culprit(e));
    }
    for (SchemaChange c : changes) {
      SCHEMA_LOG.info("{} {}.{} {} -> {} ({}, event {})", c.kind(), c.table(), c.column(), c.oldType(), c.newType(),
          c.reason(), c.eventId());
    }
    w.discard();
    checkpointIfMemoryHigh();
    return duplicates;
  }

  private void recordImport(String consumer, long nextLine, long events, long dead) throws SQLException {
    String rest = consumer.substring(IMPORT_PREFIX.length());
    int colon = rest.indexOf(':');
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO _imports VALUES (?, ?, ?, ?, ?, now()) "
        + "ON CONFLICT DO UPDATE SET next_line = excluded.next_line, events = _imports.events + excluded.events, "
        + "dead_letters = _imports.dead_letters + excluded.dead_letters, updated_at = now()")) {
      ps.setString(1, rest.substring(0, colon));
      ps.setString(2, rest.substring(colon + 1));
      ps.setLong(3, nextLine);
      ps.setLong(4, events);
      ps.setLong(5, dead);
      ps.execute();
    }
  }

  /**
   * DuckDB checkpoints on its own when the WAL passes {@code checkpoint_threshold}, but an {@code ALTER TABLE ADD
   * COLUMN} writes a few bytes of WAL while it fills the new column of every existing row group in memory until the
   * next checkpoint. Data that keeps gaining columns (new fields every few thousand events, the normal life of product
   * events) therefore runs DuckDB out of memory long before the WAL threshold. So after each commit the sink asks
   * DuckDB how much table data it holds in memory and checkpoints when that passes a third of the memory limit.
   */
  private void checkpointIfMemoryHigh() {
    long held;
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
            + "WHERE tag = 'IN_MEMORY_TABLE'")) {
      held = rs.next() ? rs.getLong(1) : 0;
      conn.commit();
    } catch (SQLException e) {
      LOG.warn("cannot read DuckDB memory use", e);
      return;
    }
    if (held < inMemoryCeiling) return;
    long start = System.nanoTime();
    checkpoint();
    LOG.info("checkpointed {} MB of in-memory table data in {} ms; now {}", held >> 20, (System.nanoTime() - start) / 1_000_000, memory());
  }

  /** Parses a DuckDB size setting ("1GB", "512MiB", "2.5 GB"); percentages and anything else give the fallback. */
  static long sizeBytes(String size, long fallback) {
    var m = java.util.regex.Pattern.compile("(?i)\\s*([0-9.]+)\\s*([kmgt]?i?b?)\\s*").matcher(size);
    if (!m.matches()) return fallback;
    String unit = m.group(2).toUpperCase(java.util.Locale.ROOT);
    long base = unit.contains("I") ? 1024 : 1000;
    int power = unit.isEmpty() ? 0 : "BKMGT".indexOf(unit.charAt(0));
    if (power < 0) return fallback;
    return (long) (Double.parseDouble(m.group(1)) * Math.pow(base, power));
  }

  /**
   * Writes data not yet checkpointed to the database file, to free memory after a failed write. Runs outside any
   * transaction, which is the only place DuckDB runs it.
   */
  private void checkpoint() {
    try {
      conn.setAutoCommit(true);
      try (Statement s = conn.createStatement()) {
        s.execute("CHECKPOINT");
      } finally {
        conn.setAutoCommit(false);
      }
    } catch (SQLException e) {
      LOG.warn("DuckDB checkpoint failed", e);
    }
  }

  /** DuckDB's own account of its memory, by component, for the log when it runs out. */
  private String memory() {
    StringBuilder b = new StringBuilder();
    try (Connection c = conn.duplicate(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT tag, memory_usage_bytes >> 20, temporary_storage_bytes >> 20 "
            + "FROM duckdb_memory() WHERE memory_usage_bytes > 0 OR temporary_storage_bytes > 0")) {
      while (rs.next()) b.append(rs.getString(1)).append('=').append(rs.getLong(2)).append("MB/")
          .append(rs.getLong(3)).append("MB-temp ");
    } catch (SQLException e) {
      b.append("unavailable: ").append(e.getMessage());
    }
    return b.toString();
  }

  private void rollback() {
    try {
      conn.rollback();
      checkpoint(); // memory held by data not yet checkpointed is what a retry needs
    } catch (SQLException e) {
      LOG.error("DuckDB rollback failed", e);
    }
  }

  /**
   * Applies changes in order. A table created in this batch is created with its final columns in one statement, built
   * from the changes themselves (never from the live catalog, which the loader may already be extending).
   */
  private void applySchema(Statement s, List<SchemaChange> changes) throws SQLException {
    Map<String, Map<String, ColumnType>> created = new LinkedHashMap<>();
    for (SchemaChange c : changes) {
      if (c.kind() == SchemaChange.Kind.CREATE_TABLE) {
        created.put(c.table(), new LinkedHashMap<>(TableSchema.ENVELOPE));
      } else if (created.containsKey(c.table())) {
        created.get(c.table()).put(c.column(), c.newType());
      }
    }
    for (var t : created.entrySet()) {
      StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(Names.quote(t.getKey())).append(" (");
      t.getValue().forEach((col, type) -> ddl.append(Names.quote(col)).append(' ').append(type.sql).append(", "));
      ddl.append("loaded_at TIMESTAMPTZ DEFAULT current_timestamp)");
      s.execute(ddl.toString());
    }
    for (SchemaChange c : changes) {
      if (created.containsKey(c.table())) continue;
      String table = Names.quote(c.table());
      if (c.kind() == SchemaChange.Kind.ADD_COLUMN) {
        s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + Names.quote(c.column()) + " " + c.newType().sql);
      } else if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN) {
        s.execute("ALTER TABLE " + table + " ALTER COLUMN " + Names.quote(c.column()) + " SET DATA TYPE " + c.newType().sql);
      }
    }
    if (changes.isEmpty()) return;
    List<Object[]> log = new ArrayList<>(changes.size());
    for (SchemaChange c : changes) {
      log.add(new Object[] {c.table(), c.column(), c.kind().name(), c.oldType() == null ? null : c.oldType().sql,
          c.newType() == null ? null : c.newType().sql, c.reason(), c.eventId(), c.source()});
    }
    insertRows("INSERT INTO _schema_changes (table_name, column_name, change, old_type, new_type, reason, event_id, "
        + "source) VALUES ", "", 8, log);
    recordColumns(s, changes, created);
  }

  /** Keeps {@code _columns} (which key each column holds, its type, when first seen) in step with the changes. */
  private void recordColumns(Statement s, List<SchemaChange> changes, Map<String, Map<String, ColumnType>> created)
      throws SQLException {
    List<Object[]> added = new ArrayList<>();
    for (var t : created.entrySet()) {
      TableSchema.ENVELOPE.forEach((col, type) -> added.add(new Object[] {t.getKey(), col, null, type.sql}));
      added.add(new Object[] {t.getKey(), "loaded_at", null, ColumnType.TIMESTAMP.sql});
    }
    List<Object[]> widened = new ArrayList<>();
    for (SchemaChange c : changes) {
      if (c.kind() == SchemaChange.Kind.ADD_COLUMN) {
        ColumnType type = created.containsKey(c.table()) ? created.get(c.table()).get(c.column()) : c.newType();
        added.add(new Object[] {c.table(), c.column(), c.source(), type.sql});
      } else if (c.kind() == SchemaChange.Kind.WIDEN_COLUMN) {
        widened.add(new Object[] {c.table(), c.column(), c.newType().sql});
      }
    }
    insertRows("INSERT INTO _columns SELECT *, now(), now() FROM (VALUES ", ") ON CONFLICT DO NOTHING", 4, added);
    for (Object[] w : widened) {
      try (PreparedStatement ps = conn.prepareStatement("UPDATE _columns SET type = ? WHERE table_name = ? "
          + "AND column_name = ?")) {
        ps.setObject(1, w[2]);
        ps.setObject(2, w[0]);
        ps.setObject(3, w[1]);
        ps.execute();
      }
    }
  }

  /**
   * Inserts rows with one statement per 500 rows ({@code head} + {@code (?, …), (?, …)} + {@code tail}): a schema
   * change touching hundreds of columns costs a few statements, not hundreds.
   */
  private void insertRows(String head, String tail, int width, List<Object[]> rows) throws SQLException {
    String tuple = "(" + String.join(", ", java.util.Collections.nCopies(width, "?")) + ")";
    for (int from = 0; from < rows.size(); from += 500) {
      List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + 500));
      String sql = head + String.join(", ", java.util.Collections.nCopies(chunk.size(), tuple)) + tail;
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        int i = 1;
        for (Object[] row : chunk) {
          for (Object v : row) ps.setObject(i++, v);
        }
        ps.execute();
      }
    }
  }

  /** Marks the columns a batch wrote to as seen now, in one statement. */
  private static void touchColumns(Statement s, List<TableBatch> batches) throws SQLException {
    StringBuilder values = new StringBuilder();
    for (TableBatch b : batches) {
      java.util.Set<String> cols = new java.util.LinkedHashSet<>();
      for (TableBatch.Part p : b.parts()) cols.addAll(p.columns());
      for (String c : cols) {
        values.append(values.length() == 0 ? "" : ", ").append("('").append(b.table().replace("'", "''"))
            .append("', '").append(c.replace("'", "''")).append("')");
      }
    }
    if (values.length() == 0) return;
    s.execute("UPDATE _columns SET last_seen = now() FROM (VALUES " + values + ") v(t, c) "
        + "WHERE _columns.table_name = v.t AND _columns.column_name = v.c");
  }

  /** Whether {@code table} is in the store already (not just planned by this batch). */
  private boolean storedBefore(String table, List<SchemaChange> changes) {
    if (!catalog.containsKey(table)) return false;
    for (SchemaChange c : changes) {
      if (c.kind() == SchemaChange.Kind.CREATE_TABLE && c.table().equals(table)) return false;
    }
    return true;
  }

  /**
   * Collects into the temp table {@code _dups} the batch's events already stored in {@code events} for the same UTC
   * day. Every event has its row in {@code events}, so one lookup there serves every table. Only the days the batch
   * touches are scanned, so the cost follows the size of those days, not of the table.
   */
  private long findDuplicates(Statement s, TableBatch ids) throws SQLException {
    StringBuilder union = new StringBuilder();
    String from = null;
    String to = null;
    for (TableBatch.Part part : ids.parts()) {
      if (part.firstDay() == null) continue;
      if (union.length() > 0) union.append(" UNION ALL ");
      union.append("SELECT * FROM ").append(((CsvStage) part.staged())
          .readCsv("'id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'tbl': 'VARCHAR'", part.ragged()));
      from = from == null || part.firstDay().compareTo(from) < 0 ? part.firstDay() : from;
      to = to == null || part.lastDay().compareTo(to) > 0 ? part.lastDay() : to;
    }
    if (from == null) return 0;
    s.execute("CREATE OR REPLACE TEMP TABLE _dups AS SELECT b.id, " + day("b") + " AS day FROM (" + union
        + ") b SEMI JOIN (SELECT id, " + day(null) + " AS day FROM events WHERE \"timestamp\" >= TIMESTAMPTZ '"
        + from + " 00:00:00+00' AND \"timestamp\" < TIMESTAMPTZ '" + to + " 00:00:00+00' + INTERVAL 1 DAY) e "
        + "ON b.id = e.id AND " + day("b") + " = e.day");
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM _dups")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The load of one staged part; with {@code skipDuplicates}, rows of events listed in {@code _dups} are left out. */
  private static String insertSql(String table, TableBatch.Part part, boolean skipDuplicates) {
    List<ColumnType> types = part.types();
    StringBuilder cols = new StringBuilder();
    StringBuilder spec = new StringBuilder();
    for (int i = 0; i < types.size(); i++) {
      String c = part.columns().get(i);
      if (i > 0) {
        cols.append(", ");
        spec.append(", ");
      }
      cols.append(Names.quote(c));
      spec.append('\'').append(c).append("': '").append(types.get(i) == ColumnType.JSON ? "VARCHAR" : types.get(i).sql)
          .append('\'');
    }
    String source = ((CsvStage) part.staged()).readCsv(spec.toString(), part.ragged());
    String t = Names.quote(table);
    if (!skipDuplicates || !part.columns().contains("timestamp")) {
      return "INSERT INTO " + t + " (" + cols + ") SELECT * FROM " + source;
    }
    return "INSERT INTO " + t + " (" + cols + ") SELECT s.* FROM " + source + " s ANTI JOIN _dups d "
        + "ON s.id = d.id AND " + day("s") + " = d.day";
  }

  /**
   * The UTC day of {@code alias.timestamp} as a day number since 1970-01-01. Arithmetic on the epoch rather than
   * {@code CAST(… AS DATE)}, which DuckDB computes through ICU's calendar for a {@code TIMESTAMPTZ}: 15 times slower,
   * and the duplicate check computes it for every stored event of the days a batch touches.
   */
  static String day(String alias) {
    return "CAST(floor(epoch_us(" + (alias == null ? "" : alias + ".") + "\"timestamp\") / 86400000000.0) AS INTEGER)";
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
