package io.catchment.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a free loopback port to a server, that a test can {@link #cut} (the port refuses connections and
 * open ones are closed: the server is unreachable, its state intact) and {@link #restore} on the same port.
 */
public final class CuttableProxy implements AutoCloseable {
    private final int port;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    public CuttableProxy(int target) throws IOException {
        this.target = target;
        this.port = ClickHouseServer.freePort();
        restore();
    }

    public int port() {
        return port;
    }

    public synchronized void restore() throws IOException {
        if (server != null) return;
        ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        server = s;
        Thread t = new Thread(() -> accept(s), "proxy-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                synchronized (this) {
                    // a connection accepted just before cut() cleared the open ones would survive the cut
                    if (server != s) {
                        close(in);
                        close(out);
                        continue;
                    }
                    open.add(in);
                    open.add(out);
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // closed by cut(), or the target is down: the client sees its connection closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream()) {
                i.transferTo(o);
            } catch (IOException e) {
                // either side closed
            } finally {
                close(from);
                close(to);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** From now on connections are refused, and open ones are closed. */
    public synchronized void cut() {
        close(server);
        server = null;
        for (Socket s : open) close(s);
        open.clear();
    }

    private static void close(java.io.Closeable c) {
        try {
            if (c != null) c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        cut();
    }
}
