package io.catchment.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.event.EventJson;
import io.catchment.event.JsonRun;
import io.catchment.event.Unicode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The non-blank lines of an NDJSON stream as JSON trees, read a block of lines at a time with one parser
 * ({@link JsonRun}: why, and how a line the run cannot read is read alone). Not thread-safe.
 */
public final class JsonLines {
    private static final int BLOCK_LINES = 1024;
    private static final int BLOCK_BYTES = 1 << 20;

    private final LineReader in;
    private final long resume;
    private final AtomicLong skipped;
    private byte[] block = new byte[BLOCK_BYTES + (1 << 16)];
    private final int[] starts = new int[BLOCK_LINES];
    private final int[] lens = new int[BLOCK_LINES];
    private final long[] numbers = new long[BLOCK_LINES];
    private int lines; // lines in the block
    private int current = -1;
    private long lineNo; // lines read from the stream
    private final JsonRun run = new JsonRun();
    private int next; // the line the open run is at

    /** Lines up to {@code resume} are skipped (counted in {@code skipped}), as are blank lines. */
    public JsonLines(InputStream content, long resume, AtomicLong skipped) {
        this.in = new LineReader(content);
        this.resume = resume;
        this.skipped = skipped;
    }

    /** Moves to the next non-blank line past the resume point; false at the end. */
    public boolean next() throws IOException {
        if (++current < lines) return true;
        fill();
        current = 0;
        return lines > 0;
    }

    /** The current line's number in the stream (from 1). */
    public long lineNo() {
        return numbers[current];
    }

    /** Lines read from the stream so far, blank and skipped ones included. */
    public long linesRead() {
        return lineNo;
    }

    public String text() {
        return new String(block, starts[current], lens[current], StandardCharsets.UTF_8);
    }

    /** The current line as a tree; throws as {@code readTree} of the line alone would. */
    public JsonNode tree() throws IOException {
        int at = starts[current];
        int len = lens[current];
        if (!run.isOpen() || next != current) run.open(block, at, starts[lines - 1] + lens[lines - 1]);
        JsonNode node = run.next(at + len, (p, start) -> EventJson.MAPPER.readTree(p));
        if (node != null) {
            next = current + 1;
            return node;
        }
        return EventJson.MAPPER.readTree(block, at, len);
    }

    /** Copies the next lines into the block, each followed by a newline. */
    private void fill() throws IOException {
        run.close();
        lines = 0;
        int pos = 0;
        while (lines < BLOCK_LINES && pos < BLOCK_BYTES && in.next()) {
            lineNo++;
            if (lineNo <= resume) {
                skipped.incrementAndGet();
                continue;
            }
            if (in.blank()) continue;
            byte[] src = in.buf();
            int from = in.start();
            int len = in.length();
            if (!Unicode.isUtf8(src, from, len)) { // the one rule: malformed UTF-8 becomes U+FFFD
                src = new String(src, from, len, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                from = 0;
                len = src.length;
            }
            if (pos + len + 1 > block.length) block = Arrays.copyOf(block, Math.max(block.length * 2, pos + len + 1));
            System.arraycopy(src, from, block, pos, len);
            starts[lines] = pos;
            lens[lines] = len;
            numbers[lines] = lineNo;
            lines++;
            pos += len;
            block[pos++] = '\n';
        }
    }
}
