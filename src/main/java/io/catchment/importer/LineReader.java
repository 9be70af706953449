package io.catchment.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a stream line by line as UTF-8 bytes, without decoding them into Strings (Jackson parses the bytes directly,
 * faster than it reads chars). Lines end at {@code \n}; a {@code \r} before it is dropped, as
 * {@link java.io.BufferedReader#readLine} does. The current line stays valid until the next call to {@link #next}.
 * Not thread-safe.
 */
public final class LineReader {
    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private int start; // the current line
    private int len;
    private int next; // where the next line starts
    private int end; // bytes in buf
    private boolean eof;

    public LineReader(InputStream in) {
        this.in = in;
    }

    /** Moves to the next line; false at the end of the stream. */
    public boolean next() throws IOException {
        int scan = next;
        while (true) {
            for (int i = scan; i < end; i++) {
                if (buf[i] != '\n') continue;
                start = next;
                len = i - next;
                next = i + 1;
                if (len > 0 && buf[start + len - 1] == '\r') len--;
                return true;
            }
            if (eof) {
                if (next == end) return false;
                start = next; // a last line without a newline
                len = end - next;
                next = end;
                if (len > 0 && buf[start + len - 1] == '\r') len--;
                return true;
            }
            scan = end - next;
            fill();
        }
    }

    /** Makes room after the unread part of the buffer (moving it to the front, growing for long lines) and reads. */
    private void fill() throws IOException {
        int unread = end - next;
        if (next > 0) {
            System.arraycopy(buf, next, buf, 0, unread);
            next = 0;
            end = unread;
        }
        if (end == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    public byte[] buf() {
        return buf;
    }

    public int start() {
        return start;
    }

    public int length() {
        return len;
    }

    /** Whether the line is empty or only whitespace. */
    public boolean blank() {
        for (int i = start; i < start + len; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '\f' && b != 0x0b) return false;
        }
        return true;
    }

    /** The line as a String (for messages and dead letters). */
    public String text() {
        return new String(buf, start, len, StandardCharsets.UTF_8);
    }
}
