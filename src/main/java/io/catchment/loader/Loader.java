package io.catchment.loader;

import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.catchment.schema.ColumnType;
import io.catchment.schema.Field;
import io.catchment.schema.Router;
import io.catchment.schema.SchemaChange;
import io.catchment.schema.TableSchema;
import io.catchment.sink.Sink;
import io.catchment.sink.SinkException;
import io.catchment.sink.TableBatch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves events from the log into the store, in two stages on two threads so parsing overlaps writing:
 * <ol>
 *   <li><b>prepare</b> ({@code loader}): reads a micro-batch (up to {@code batchEvents} events, or whatever arrived
 *       within {@code batchWait}), routes and flattens each event and resolves its columns, extending the catalog;
 *   <li><b>write</b> ({@code loader-write}): hands the batch to {@link Sink#write}, which commits schema changes, rows
 *       and the next offset in one transaction, then commits the log.
 * </ol>
 * At most one prepared batch waits between them. A failed write is retried with the same batch, with backoff from
 * 100 ms up to 30 s, and never skipped, so the log holds the backlog while the store is away. {@link #close} stops
 * after the batches in hand are written.
 */
public final class Loader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
  public static final String CONSUMER = "loader";

  private final EventLog log;
  private final Sink sink;
  private final Metrics metrics;
  private final int batchEvents;
  private final Duration batchWait;
  private final Router router = new Router();
  private final BlockingQueue<Prepared> handoff = new ArrayBlockingQueue<>(1);
  private final Thread preparer = new Thread(this::prepareLoop, "loader");
  private final Thread writer = new Thread(this::writeLoop, "loader-write");
  private volatile boolean running = true;
  private volatile boolean preparing = true;
  /** Batches handed to the writer and not yet written. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long next;
  private volatile String lastError;
  private long readFrom;

  /** A batch ready to write: everything {@link Sink#write} needs, read-only from here on. */
  record Prepared(List<SchemaChange> changes, List<TableBatch> batches, TableBatch ids, long nextOffset, int events,
      int repeated, long startNanos) {}

  public Loader(EventLog log, Sink sink, Metrics metrics, int batchEvents, Duration batchWait) {
    this.log = log;
    this.sink = sink;
    this.metrics = metrics;
    this.batchEvents = batchEvents;
    this.batchWait = batchWait;
    long stored = sink.loadedOffset(CONSUMER);
    if (stored > log.endOffset()) {
      throw new io.catchment.CatchmentException("the store has loaded the log up to offset " + stored
          + " but the log ends at " + log.endOffset() + ": the log directory was replaced or lost. Refusing to start "
          + "rather than skip events; restore the log, or start with an empty data directory");
    }
    if (stored >= 0 && stored < log.startOffset()) {
      throw new io.catchment.CatchmentException("the store has loaded the log up to offset " + stored
          + " but the log starts at " + log.startOffset() + ": records in between were deleted before being loaded");
    }
    this.next = stored >= 0 ? stored : log.startOffset();
    this.readFrom = next;
    metrics.loaderOffset.set(next);
  }

  public void start() {
    LOG.info("Loader starting at log offset {} (log end {})", next, log.endOffset());
    preparer.start();
    writer.start();
  }

  /** Next log offset to load; everything below it is in the store. */
  public long position() {
    return next;
  }

  public String lastError() {
    return lastError;
  }

  private void prepareLoop() {
    long backoff = 100;
    try {
      while (running) {
        try {
          List<EventLog.LogRecord> records = fill();
          if (records.isEmpty()) continue;
          Prepared p = prepare(records);
          readFrom = p.nextOffset();
          inFlight.incrementAndGet();
          handoff.put(p); // waits while the writer is busy with the previous batch
          backoff = 100;
        } catch (InterruptedException e) {
          return;
        } catch (IOException | RuntimeException e) {
          lastError = e.getMessage();
          LOG.error("Loader failed preparing the batch at offset {}, retrying in {} ms", readFrom, backoff, e);
          sleep(backoff);
          backoff = Math.min(backoff * 2, 30_000);
          forgetPlannedColumns();
        }
      }
    } finally {
      preparing = false;
    }
  }

  /** After a failed prepare: once the writer has written what it holds, re-read the catalog from the store. */
  private void forgetPlannedColumns() {
    try {
      while (running && inFlight.get() > 0) Thread.sleep(10);
      sink.reloadCatalog();
    } catch (java.sql.SQLException e) {
      LOG.warn("Could not re-read the catalog", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    while (preparing || !handoff.isEmpty()) {
      Prepared p;
      try {
        p = handoff.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (p != null) {
        write(p);
        inFlight.decrementAndGet();
      }
    }
  }

  private void write(Prepared p) {
    long backoff = 100;
    Map<String, Long> duplicates;
    while (true) {
      try {
        duplicates = sink.write(p.changes(), p.batches(), p.ids(), CONSUMER, p.nextOffset());
        break;
      } catch (SinkException | RuntimeException e) {
        lastError = e.getMessage();
        if (!running && backoff >= 1600) {
          LOG.warn("Stopping with {} events not written; they stay in the log and load at the next start", p.events());
          return;
        }
        LOG.warn("Store write failed, retrying the same {} events in {} ms", p.events(), backoff, e);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
    lastError = null;
    next = p.nextOffset();
    metrics.loaderOffset.set(next);
    try {
      log.commit(next);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not record the committed offset {} in the log (the store has it)", next, e);
    }
    metrics.loaded.increment(p.events());
    metrics.duplicates("(batch)", p.repeated());
    metrics.batchEvents.record(p.events());
    metrics.schemaChanges.increment(p.changes().size());
    for (TableBatch b : p.batches()) {
      long skipped = duplicates.getOrDefault(b.table(), 0L);
      metrics.rowsWritten(b.table(), b.rows() - skipped);
      metrics.duplicates(b.table(), skipped);
    }
    metrics.batchLatency.record(Duration.ofNanos(System.nanoTime() - p.startNanos()));
    LOG.debug("Loaded {} events up to offset {}", p.events(), next);
  }

  private List<EventLog.LogRecord> fill() throws IOException, InterruptedException {
    List<EventLog.LogRecord> out = new ArrayList<>();
    long deadline = System.nanoTime() + batchWait.toNanos();
    long from = readFrom;
    int events = 0;
    while (running && events < batchEvents) {
      long left = deadline - System.nanoTime();
      List<EventLog.LogRecord> got = log.read(from, 1024, Duration.ofNanos(Math.max(left, 0)));
      if (got.isEmpty()) {
        if (left <= 0 || !out.isEmpty()) break;
        continue;
      }
      for (EventLog.LogRecord r : got) events += countLines(r.payload());
      out.addAll(got);
      from = got.get(got.size() - 1).offset() + 1;
    }
    return out;
  }

  /** Routes and flattens {@code records}, resolving columns against (and extending) the catalog. */
  Prepared prepare(List<EventLog.LogRecord> records) throws IOException {
    long start = System.nanoTime();
    Map<String, TableSchema> catalog = sink.catalog();
    Map<String, TableBatch> batches = new LinkedHashMap<>();
    List<SchemaChange> changes = new ArrayList<>();
    TableBatch ids = new TableBatch("_ids", sink::stage);
    int[] counts = new int[2];
    try {
      route(records, catalog, batches, changes, ids, counts);
      for (TableBatch b : batches.values()) b.finish(catalog.get(b.table()).columns());
      ids.finish(IDS_SCHEMA);
    } catch (IOException | RuntimeException e) {
      batches.values().forEach(TableBatch::discard);
      ids.discard();
      throw e;
    }
    long nextOffset = records.get(records.size() - 1).offset() + 1;
    return new Prepared(changes, List.copyOf(batches.values()), ids, nextOffset, counts[0], counts[1], start);
  }

  private static final Map<String, ColumnType> IDS_SCHEMA = Map.of("id", ColumnType.VARCHAR, "timestamp", ColumnType.TIMESTAMP);

  /**
   * Routes every event of {@code records}; an event whose id and UTC day were already seen in this batch is left out
   * (counts[1]), the others are routed (counts[0]) and listed in {@code ids} for the store's duplicate check.
   */
  private void route(List<EventLog.LogRecord> records, Map<String, TableSchema> catalog, Map<String, TableBatch> batches,
      List<SchemaChange> changes, TableBatch ids, int[] counts) throws IOException {
    List<Router.Row> rows = new ArrayList<>(2);
    java.util.HashSet<String> seen = new java.util.HashSet<>();
    int idColumn = ids.column("id");
    int tsColumn = ids.column("timestamp");
    for (EventLog.LogRecord r : records) {
      byte[] p = r.payload();
      int lineStart = 0;
      for (int i = 0; i <= p.length; i++) {
        if (i < p.length && p[i] != '\n') continue;
        if (i > lineStart) {
          rows.clear();
          router.route(p, lineStart, i - lineStart, rows);
          Router.Row first = rows.get(0);
          if (!seen.add(first.eventId() + '\u0000' + first.timestamp().substring(0, 10))) {
            counts[1]++;
          } else {
            for (Router.Row row : rows) add(row, catalog, batches, changes, sink);
            ids.set(idColumn, first.eventId());
            ids.set(tsColumn, new io.catchment.schema.Field.TimeValue(first.timestamp(), null));
            ids.endRow(IDS_SCHEMA);
            counts[0]++;
          }
        }
        lineStart = i + 1;
      }
    }
  }

  private static void add(Router.Row row, Map<String, TableSchema> catalog, Map<String, TableBatch> batches,
      List<SchemaChange> changes, Sink sink) throws IOException {
    TableSchema schema = catalog.get(row.table());
    if (schema == null) {
      schema = TableSchema.create(row.table(), row.eventId(), changes);
      catalog.put(row.table(), schema);
    }
    TableBatch batch = batches.computeIfAbsent(row.table(), t -> new TableBatch(t, sink::stage));
    for (Field f : row.fields()) {
      int index = batch.column(schema.resolve(f, row.eventId(), changes));
      if (batch.isSet(index)) {
        // an earlier key of this row already took the column: this key gets its own, stable name
        Field renamed = new Field(f.collisionName(), f.type(), f.value(), f.key());
        index = batch.column(schema.resolve(renamed, row.eventId(), changes));
      }
      batch.set(index, f.value());
    }
    batch.endRow(schema.columns());
  }

  private static int countLines(byte[] p) {
    int n = 0;
    for (byte b : p) if (b == '\n') n++;
    return p.length > 0 && p[p.length - 1] != '\n' ? n + 1 : n;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      preparer.join(60_000);
      writer.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
