package io.catchment.loader;

import io.catchment.event.Event;
import io.catchment.event.EventJson;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves events from the log into the store: reads a micro-batch (up to {@code batchEvents}, or whatever arrived
 * within {@code batchWait}), routes and flattens each event, resolves columns, and hands the batch to
 * {@link Sink#write}, which commits rows, schema changes and the next offset together. Only then is the log
 * committed. A failed write is retried with backoff (from 100 ms up to 30 s) and never skipped, so the log holds the
 * backlog while the store is away. Runs on its own thread; {@link #close} stops it after the current batch.
 */
public final class Loader implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Loader.class);
  public static final String CONSUMER = "loader";

  private final EventLog log;
  private final Sink sink;
  private final Metrics metrics;
  private final int batchEvents;
  private final Duration batchWait;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long next;
  private volatile String lastError;

  public Loader(EventLog log, Sink sink, Metrics metrics, int batchEvents, Duration batchWait) {
    this.log = log;
    this.sink = sink;
    this.metrics = metrics;
    this.batchEvents = batchEvents;
    this.batchWait = batchWait;
    long stored = sink.loadedOffset(CONSUMER);
    this.next = stored >= 0 ? stored : log.startOffset();
    metrics.loaderOffset.set(next);
    this.thread = new Thread(this, "loader");
  }

  public void start() {
    LOG.info("Loader starting at log offset {} (log end {})", next, log.endOffset());
    thread.start();
  }

  /** Next log offset to load; everything below it is in the store. */
  public long position() {
    return next;
  }

  public String lastError() {
    return lastError;
  }

  @Override
  public void run() {
    long backoff = 100;
    List<EventLog.LogRecord> pending = new ArrayList<>();
    while (running) {
      try {
        if (pending.isEmpty()) fill(pending);
        if (pending.isEmpty()) continue;
        load(pending);
        pending.clear();
        backoff = 100;
        lastError = null;
      } catch (SinkException e) {
        lastError = e.getMessage();
        LOG.warn("Store write failed, retrying in {} ms with the same {} records", backoff, pending.size(), e);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      } catch (InterruptedException e) {
        if (!running) break;
      } catch (IOException | RuntimeException e) {
        lastError = e.getMessage();
        LOG.error("Loader failed reading the log at offset {}, retrying in {} ms", next, backoff, e);
        pending.clear();
        sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  private void fill(List<EventLog.LogRecord> out) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + batchWait.toNanos();
    long from = next;
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
  }

  /** Parses, routes and writes {@code records} as one store transaction, then commits the log. */
  void load(List<EventLog.LogRecord> records) throws SinkException, IOException {
    long start = System.nanoTime();
    Map<String, TableSchema> catalog = sink.catalog();
    Map<String, TableBatch> batches = new LinkedHashMap<>();
    List<SchemaChange> changes = new ArrayList<>();
    List<Router.Row> rows = new ArrayList<>(2);
    int events = 0;
    for (EventLog.LogRecord r : records) {
      byte[] p = r.payload();
      int lineStart = 0;
      for (int i = 0; i <= p.length; i++) {
        if (i < p.length && p[i] != '\n') continue;
        if (i > lineStart) {
          Event e = EventJson.read(p, lineStart, i - lineStart);
          rows.clear();
          Router.route(e, rows);
          for (Router.Row row : rows) add(row, e.id(), catalog, batches, changes);
          events++;
        }
        lineStart = i + 1;
      }
    }
    long nextOffset = records.get(records.size() - 1).offset() + 1;
    sink.write(changes, new ArrayList<>(batches.values()), CONSUMER, nextOffset);
    next = nextOffset;
    metrics.loaderOffset.set(nextOffset);
    log.commit(nextOffset);
    metrics.loaded.increment(events);
    metrics.batchEvents.record(events);
    metrics.schemaChanges.increment(changes.size());
    batches.values().forEach(b -> metrics.rowsWritten(b.table(), b.rows().size()));
    metrics.batchLatency.record(Duration.ofNanos(System.nanoTime() - start));
    LOG.debug("Loaded {} events from {} records up to offset {}", events, records.size(), nextOffset);
  }

  private static void add(Router.Row row, String eventId, Map<String, TableSchema> catalog,
      Map<String, TableBatch> batches, List<SchemaChange> changes) {
    TableSchema schema = catalog.get(row.table());
    if (schema == null) {
      schema = TableSchema.create(row.table(), eventId, changes);
      catalog.put(row.table(), schema);
    }
    TableBatch batch = batches.computeIfAbsent(row.table(), TableBatch::new);
    Object[] cells = batch.newRow(row.fields().size());
    for (Field f : row.fields()) {
      String column = schema.resolve(f, eventId, changes);
      cells = batch.set(cells, batch.columnIndex(column), f.value());
    }
  }

  private static int countLines(byte[] p) {
    int n = 0;
    for (byte b : p) if (b == '\n') n++;
    return p.length > 0 && p[p.length - 1] != '\n' ? n + 1 : n;
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }
}
