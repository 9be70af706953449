package io.catchment.sink;

import io.catchment.deadletter.DeadLetterQueue;
import io.catchment.schema.TableSchema;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Sink} whose dead letters live in a {@link DeadLetterQueue} of their own (with a Kafka log: the dead-letter
 * topic) instead of the store's {@code _dead_letters}. A batch's dead letters are added before the batch is written,
 * so by the time the store has the batch's offset they are durable; a crash in between replays the batch, and its
 * dead letters are added again under the same keys (one more attempt counted, nothing doubled). Everything else is
 * the wrapped store's. {@link #close} closes the store, and the queue when this sink was given it to own.
 */
public final class SeparateDeadLetters implements Sink {
    private final Sink store;
    private final DeadLetterQueue queue;
    private final AutoCloseable owned;

    /** The queue stays open after {@link #close}: its owner closes it. */
    public SeparateDeadLetters(Sink store, DeadLetterQueue queue) {
        this(store, queue, null);
    }

    /** {@code owned} (the queue and what it runs on) is closed after the store by {@link #close}. */
    public SeparateDeadLetters(Sink store, DeadLetterQueue queue, AutoCloseable owned) {
        this.store = store;
        this.queue = queue;
        this.owned = owned;
    }

    @Override
    public Map<String, Long> write(WriteBatch batch) throws SinkException {
        if (!batch.deadLetters().isEmpty()) {
            try {
                queue.add(batch.deadLetters());
            } catch (IOException | RuntimeException e) {
                throw new SinkException(
                        "cannot add " + batch.deadLetters().size() + " dead letters: " + e.getMessage(), e, true);
            }
        }
        return store.write(batch.withDeadLetters(List.of()));
    }

    @Override
    public List<Entry> deadLetters(Filter filter, int limit) {
        return queue.deadLetters(filter, limit);
    }

    @Override
    public int markReplayed(List<String> keys) {
        return queue.markReplayed(keys);
    }

    @Override
    public int purge(Filter filter) {
        return queue.purge(filter);
    }

    @Override
    public long pendingDeadLetters() {
        return queue.pendingDeadLetters();
    }

    @Override
    public Map<String, TableSchema> catalog() {
        return store.catalog();
    }

    @Override
    public TableBatch.Encoder stage(String table) throws IOException {
        return store.stage(table);
    }

    @Override
    public void reloadCatalog() throws SinkException {
        store.reloadCatalog();
    }

    @Override
    public void upgrade(List<String> statements) throws SinkException {
        store.upgrade(statements);
    }

    @Override
    public long expire(String table, java.time.Instant before) throws SinkException {
        return store.expire(table, before);
    }

    @Override
    public long loadedOffset(String consumer) {
        return store.loadedOffset(consumer);
    }

    @Override
    public Optional<ImportCheckpoint> importCheckpoint(String jobId, String member) {
        return store.importCheckpoint(jobId, member);
    }

    @Override
    public QueryResult query(String sql, int maxRows, Duration timeout) throws QueryException {
        return store.query(sql, maxRows, timeout);
    }

    @Override
    public QueryResult query(String sql, java.util.List<Object> params, int maxRows, Duration timeout)
            throws QueryException {
        return store.query(sql, params, maxRows, timeout);
    }

    @Override
    public boolean healthy() {
        return store.healthy();
    }

    /** The wrapped store. */
    public Dialect dialect() {
        return store.dialect();
    }

    public Sink store() {
        return store;
    }

    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            if (owned != null) {
                try {
                    owned.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException("closing the dead-letter queue failed: " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public io.catchment.dashboard.DashboardStore dashboards() {
        return store.dashboards();
    }
}
