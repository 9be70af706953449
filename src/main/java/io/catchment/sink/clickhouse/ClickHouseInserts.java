package io.catchment.sink.clickhouse;

import io.catchment.sink.TableBatch;
import io.catchment.sink.clickhouse.ClickHouse.ClickHouseFailure;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A batch's inserts: one INSERT per table, three at a time (ClickHouse parses and writes each on one thread). When
 * some fail, the others still finish, and the failure thrown is a permanent one if any was, else a transient one; a
 * batch written again completes what is missing ({@link ClickHouseDedup}). Called under the sink's lock.
 */
final class ClickHouseInserts implements AutoCloseable {
    private static final int THREADS = 3;

    private final ClickHouseDedup dedup;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "clickhouse-insert");
        t.setDaemon(true);
        return t;
    });

    ClickHouseInserts(ClickHouseDedup dedup) {
        this.dedup = dedup;
    }

    /** Inserts each table's rows but those in {@code stored} (per table); returns the rows left out per table. */
    Map<String, Long> insert(List<TableBatch> tables, Map<String, Set<String>> stored) throws IOException {
        Map<String, Future<Long>> sent = new LinkedHashMap<>();
        for (TableBatch b : tables) {
            Set<String> skip = stored.getOrDefault(b.table(), Set.of());
            sent.put(b.table(), pool.submit(() -> {
                long inserted = 0;
                for (TableBatch.Part part : b.parts()) inserted += dedup.insert(b.table(), part, skip);
                return b.rows() - inserted;
            }));
        }
        Map<String, Long> left = new LinkedHashMap<>();
        ClickHouseFailure failed = null;
        for (var e : sent.entrySet()) {
            try {
                left.put(e.getKey(), e.getValue().get());
            } catch (ExecutionException x) {
                if (x.getCause() instanceof ClickHouseFailure f) {
                    if (failed == null || failed.transientFailure && !f.transientFailure) failed = f;
                } else {
                    throw new IOException("insert into " + e.getKey() + " failed: " + x.getCause(), x.getCause());
                }
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", x);
            }
        }
        if (failed != null) throw failed;
        return left;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
