package io.catchment.sink;

import io.catchment.schema.Field;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * A staged part written as delimited text into one file: the byte buffer, UTF-8 encoding and number formatting that
 * DuckDB's CSV stage and ClickHouse's TSV stage share. Encodes UTF-8 itself into one buffer; ASCII, the common case, is copied
 * byte by byte, and the few ASCII characters a dialect escapes go through {@link #escape}. Not thread-safe.
 */
public abstract class TextStage implements TableBatch.Encoder {
    /** Empties (or creates) a staging directory: staged files of a run that ended in a crash are of no use. */
    public static void recreate(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
        }
        Files.createDirectories(dir);
    }

    private static final int FLUSH_AT = (1 << 16) - 1024;

    private final Path file;
    private final OutputStream out;
    private final boolean[] special;
    private boolean multiline;
    protected byte[] buf = new byte[1 << 16];
    protected int pos;

    /** {@code special} lists the ASCII characters the dialect escapes. */
    protected TextStage(Path file, String special) throws IOException {
        this.file = file;
        this.out = Files.newOutputStream(file);
        this.special = new boolean[128];
        for (char c : special.toCharArray()) this.special[c] = true;
    }

    public Path file() {
        return file;
    }

    /** Whether a value staged here holds a line break (escaped or quoted as the dialect says). */
    protected boolean multiline() {
        return multiline;
    }

    /** Writes an ASCII character of the dialect's special set, escaped; at most 2 bytes, room for them is ensured. */
    protected abstract void escape(char c);

    /** Ends a row: flushes the buffer once it is nearly full. */
    protected final void endRow() throws IOException {
        put((byte) '\n');
        if (pos > FLUSH_AT) flush();
    }

    /** A string as UTF-8, with the dialect's special characters escaped. */
    protected final void text(String s) {
        int len = s.length();
        ensure(len * 3);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (special[c]) {
                    if (c == '\n' || c == '\r') multiline = true;
                    pos = p;
                    escape(c);
                    p = pos;
                } else {
                    b[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xf0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                // a lone surrogate cannot be encoded in UTF-8: U+FFFD, as every UTF-8 encoder does
                b[p++] = (byte) 0xef;
                b[p++] = (byte) 0xbf;
                b[p++] = (byte) 0xbd;
            } else {
                b[p++] = (byte) (0xe0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        pos = p;
    }

    /** UTF-8 bytes with nothing to escape, copied as they are. */
    protected final void raw(Field.RawText r) {
        ensure(r.len());
        System.arraycopy(r.buf(), r.off(), buf, pos, r.len());
        pos += r.len();
    }

    /** Text known to be ASCII with nothing to escape (numbers, ISO-8601 times). */
    protected final void ascii(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) buf[pos++] = (byte) s.charAt(i);
    }

    protected final void number(long l) {
        if (l >= 0 && l < 10) {
            put((byte) ('0' + l));
        } else {
            ascii(Long.toString(l));
        }
    }

    protected final void put(byte b) {
        ensure(1);
        buf[pos++] = b;
    }

    protected final void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** Room for {@code n} more bytes, flushing or growing the buffer (for a value longer than half of it). */
    protected final void ensure(int n) {
        if (pos + n <= buf.length) return;
        if (n > buf.length / 2) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        } else {
            try {
                flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void flush() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    @Override
    public void close() throws IOException {
        flush();
        out.close();
    }

    @Override
    public void discard() throws IOException {
        Files.deleteIfExists(file);
    }
}
