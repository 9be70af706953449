package io.catchment.loader;

import io.catchment.sink.Sink;
import io.catchment.sink.clickhouse.ClickHouseSink;
import io.catchment.testing.ClickHouseServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The {@link SinkContract} against a real ClickHouse server (Debian's 18.16 here), one database per test. */
@Timeout(180)
class ClickHouseSinkContractIT extends SinkContract {
    private static ClickHouseServer server;
    private static final AtomicInteger DBS = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = ClickHouseServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) server.close();
    }

    private String database;

    @Override
    Sink open(Path dir) throws Exception {
        database = "contract" + DBS.incrementAndGet();
        return reopen(dir);
    }

    @Override
    Sink reopen(Path dir) throws Exception {
        return new ClickHouseSink(server.url(), database, "default", "", "", dir, dedup, 1000, 64L << 20);
    }
}
