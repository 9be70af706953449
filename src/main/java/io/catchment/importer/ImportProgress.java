package io.catchment.importer;

import java.util.function.LongSupplier;

/**
 * An import's progress on stderr: a bar with the share of bytes read, events read and loaded, events/s and the ETA,
 * redrawn twice a second on a terminal; a plain line every few seconds when not (logs, CI). Prints from its own daemon
 * thread until closed.
 */
public final class ImportProgress implements AutoCloseable {
    private final long total;
    private final long started;
    private final boolean tty = System.console() != null;
    private final Thread thread;
    private final LongSupplier bytes;
    private final LongSupplier read;
    private final LongSupplier loaded;
    private final double intervalSeconds;
    private volatile boolean done;

    /**
     * Starts printing: {@code total} bytes to read, {@code bytes} and {@code read} the bytes and events read so far,
     * {@code loaded} the events loaded (null when the target does not load), a line every {@code intervalSeconds}
     * when stderr is not a terminal.
     */
    public ImportProgress(
            long total,
            long started,
            LongSupplier bytes,
            LongSupplier read,
            LongSupplier loaded,
            double intervalSeconds) {
        this.total = total;
        this.started = started;
        this.bytes = bytes;
        this.read = read;
        this.loaded = loaded;
        this.intervalSeconds = intervalSeconds;
        thread = new Thread(this::loop, "import-progress");
        thread.setDaemon(true);
        thread.start();
    }

    void loop() {
        while (!done) {
            try {
                Thread.sleep(tty ? 500 : (long) (intervalSeconds * 1000));
            } catch (InterruptedException e) {
                return;
            }
            if (!done) print(false);
        }
    }

    void print(boolean last) {
        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long b = bytes.getAsLong();
        double frac = total > 0 ? Math.min(1.0, (double) b / total) : 0;
        long eta = frac > 0.01 ? (long) (secs / frac - secs) : -1;
        String bar = "";
        if (tty) {
            int width = 30;
            int filled = (int) (frac * width);
            bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] ";
        }
        String line = String.format(
                "%s%3.0f%%  %,d events read%s  %,.0f events/s  %,d/%,d MB%s",
                bar,
                frac * 100,
                read.getAsLong(),
                loaded == null ? "" : String.format(", %,d loaded", loaded.getAsLong()),
                read.getAsLong() / secs,
                b >> 20,
                total >> 20,
                eta >= 0 && !last ? "  ETA " + eta + " s" : "");
        if (tty) System.err.print("\r" + line + (last ? "\n" : ""));
        else System.err.println(line);
        System.err.flush();
    }

    @Override
    public void close() {
        if (done) return;
        done = true;
        thread.interrupt();
        print(true);
    }
}
