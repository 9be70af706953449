package io.catchment.collector;

import io.catchment.config.CatchmentConfig;
import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What slow or hostile clients may hold of the HTTP server, applied to Javalin's Jetty:
 * <ul>
 *   <li>{@code http.idle_timeout}: a connection idle this long, or a blocked read of a request body waiting this long
 *       for a byte, is closed (Jetty answers a body read that times out with 408);
 *   <li>{@code http.min_request_rate}: a request body arriving slower than this, in bytes per second since the request
 *       began, is cut with 408 at the next read, so a client trickling a byte at a time holds its thread for seconds,
 *       not minutes;
 *   <li>{@code http.max_connections}: past it Jetty stops accepting; new connections wait in the kernel's queue;
 *   <li>{@code http.max_threads}: request bodies are read on these threads, so the memory bodies hold is at most
 *       {@code max_threads × limits.max_request_bytes}.
 * </ul>
 * Request headers are parsed without a thread (Jetty reads them asynchronously), so a client sending headers slowly
 * holds a connection, not a thread; headers over 8 KB get 431.
 */
public final class Connections {
    private Connections() {}

    public static void apply(JavalinConfig cfg, CatchmentConfig.Connections c) {
        cfg.jetty.threadPool = new QueuedThreadPool(c.maxThreads(), Math.min(8, c.maxThreads()), 60_000);
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setIdleTimeout(c.idleTimeout().toMillis());
            http.setMinRequestDataRate(c.minRequestRate());
        });
        cfg.jetty.modifyServer(server -> {
            server.addBean(new ConnectionLimit(c.maxConnections(), server));
            // connectors made later (Javalin's default one) take the idle timeout when the server starts them
            server.addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(org.eclipse.jetty.util.component.LifeCycle event) {
                    for (var connector : server.getConnectors()) {
                        if (connector instanceof ServerConnector sc)
                            sc.setIdleTimeout(c.idleTimeout().toMillis());
                    }
                }
            });
        });
    }
}
