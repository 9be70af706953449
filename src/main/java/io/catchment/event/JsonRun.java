package io.catchment.event;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;

/**
 * Reads a run of JSON values, one per line of a buffer, with one parser instead of one per line. A parser costs its
 * setup, and every new parser copies Jackson's shared table of field names as soon as it meets a name the table
 * lacks; past ~6,000 distinct keys Jackson resets that table, so with a parser per line the copy happened for nearly
 * every line and made the loader ten times slower (BENCHMARKS.md, session 5). A value that the run's parser cannot
 * read, or that does not end where its line does, closes the run: the caller reads that line alone, so it fails, or
 * is read, exactly as it would alone, and starts a new run at the line after. Not thread-safe.
 */
public final class JsonRun implements AutoCloseable {
    /** Reads the next value from {@code p}, a parser started at {@code start} of the buffer. */
    @FunctionalInterface
    public interface Read<T> {
        T read(JsonParser p, int start) throws IOException;
    }

    private JsonParser parser;
    private int start;

    /** Starts a run over {@code buf[from, to)}: lines one newline apart, the first at {@code from}. */
    public void open(byte[] buf, int from, int to) throws IOException {
        close();
        start = from;
        parser = EventJson.MAPPER.getFactory().createParser(buf, from, to - from);
    }

    public boolean isOpen() {
        return parser != null;
    }

    /**
     * The next value, as {@code read} reads it, when it ends exactly at {@code lineEnd}; else null, with the run closed
     * (read that line alone).
     */
    public <T> T next(int lineEnd, Read<T> read) throws IOException {
        try {
            T v = read.read(parser, start);
            if (v != null && start + parser.currentLocation().getByteOffset() == lineEnd) return v;
        } catch (IOException | RuntimeException e) {
            // the caller reads the line alone: it fails as it would have, or succeeds where the run's parser stumbled
        }
        close();
        return null;
    }

    @Override
    public void close() throws IOException {
        if (parser != null) parser.close();
        parser = null;
    }
}
