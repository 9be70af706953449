package io.catchment.log.sqs;

import io.catchment.log.EventTooLargeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How events travel in SQS message bodies. A body is {@code c1:} followed by the base64 of one or more gzip members,
 * each the gzip of whole NDJSON lines (one or more log records, each ending with a newline); gzip members concatenate
 * into one valid gzip stream, so several requests' records share a message without recompression. The prefix marks
 * Catchment's messages: a body without it (or that does not decompress) is not ours, and is left to SQS's redrive
 * policy. Stateless and thread-safe.
 */
public final class SqsCodec {
    static final String PREFIX = "c1:";

    private SqsCodec() {}

    /** Bytes of binary that fit in a body of {@code maxBodyBytes} characters (base64 and the prefix). */
    static int binaryBudget(int maxBodyBytes) {
        return (maxBodyBytes - PREFIX.length()) / 4 * 3;
    }

    /** Characters of the body that {@code binary} bytes become. */
    static int bodyLength(int binary) {
        return PREFIX.length() + (binary + 2) / 3 * 4;
    }

    /**
     * Compresses a record into gzip members of at most {@code maxBinary} bytes each, splitting it between lines when
     * it does not fit in one.
     *
     * @throws EventTooLargeException when a single line does not fit in a message even compressed (nothing is sent)
     */
    public static List<byte[]> compress(byte[] record, int maxBinary) throws IOException {
        List<byte[]> out = new ArrayList<>();
        compress(record, 0, record.length, maxBinary, out);
        return out;
    }

    private static void compress(byte[] r, int from, int to, int maxBinary, List<byte[]> out) throws IOException {
        byte[] gz = gzip(r, from, to);
        if (gz.length <= maxBinary) {
            out.add(gz);
            return;
        }
        int mid = lineBreakNear(r, from, to);
        if (mid < 0) {
            int index = 0;
            for (int i = 0; i < from; i++) if (r[i] == '\n') index++;
            throw new EventTooLargeException(
                    index,
                    "takes " + (to - from) + " bytes, " + gz.length
                            + " gzip-compressed: more than one SQS message holds (" + maxBinary
                            + " bytes gzip-compressed, " + bodyLength(maxBinary)
                            + " characters as base64; sqs.max_message_bytes)");
        }
        compress(r, from, mid, maxBinary, out);
        compress(r, mid, to, maxBinary, out);
    }

    /** The position after a newline closest to the middle of {@code [from, to)}, or -1 if it is one line. */
    private static int lineBreakNear(byte[] r, int from, int to) {
        int mid = from + (to - from) / 2;
        for (int d = 0; mid - d > from || mid + d < to; d++) {
            int a = mid + d, b = mid - d;
            if (a < to - 1 && r[a] == '\n') return a + 1;
            if (b > from && b < to - 1 && r[b] == '\n') return b + 1;
        }
        return -1;
    }

    private static byte[] gzip(byte[] r, int from, int to) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, (to - from) / 4));
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 8192)) {
            gz.write(r, from, to - from);
            if (to > from && r[to - 1] != '\n') gz.write('\n'); // records concatenate line by line
        }
        return bytes.toByteArray();
    }

    /** The body of a message holding these gzip members. */
    public static String body(List<byte[]> members) {
        int n = 0;
        for (byte[] m : members) n += m.length;
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] m : members) {
            System.arraycopy(m, 0, all, at, m.length);
            at += m.length;
        }
        return PREFIX + Base64.getEncoder().encodeToString(all);
    }

    /**
     * The NDJSON lines a body holds.
     *
     * @throws IOException when the body is not one of Catchment's messages (no prefix, not base64, not gzip)
     */
    public static byte[] decode(String body) throws IOException {
        if (!body.startsWith(PREFIX)) throw new IOException("not a Catchment message (no " + PREFIX + " prefix)");
        byte[] binary;
        try {
            binary = Base64.getDecoder().decode(body.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IOException("not a Catchment message: " + e.getMessage(), e);
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(binary), 8192)) {
            return in.readAllBytes();
        }
    }
}
