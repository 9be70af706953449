package io.catchment.log.sqs;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import io.catchment.log.EventLog;
import io.catchment.log.EventTooLargeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * How events travel in SQS message bodies. A body is {@code c2:} followed by the base64 of one or more zstd frames
 * (level 3), each the compression of whole NDJSON lines (one or more log records, each ending with a newline); frames
 * concatenate into one valid zstd stream, so several requests' records share a message without recompression. Bodies
 * of earlier versions, {@code c1:} and gzip members, are still read. The prefix marks Catchment's messages: a body
 * without it (or that does not decompress) is not ours, and is left to SQS's redrive policy. Stateless and
 * thread-safe.
 *
 * <p>Why zstd: against gzip, the same bytes per event on SDK-like events (57 each, 100 to a request), compression 6
 * times and decompression 5 times faster, and a window that sees a value repeated further apart than gzip's 32 KB (an
 * event with a 30 KB string three times compresses to half its gzip size, and fits in a message).
 */
public final class SqsCodec {
    static final String PREFIX = "c2:";
    /** The prefix of the gzip bodies of earlier versions. */
    static final String GZIP_PREFIX = "c1:";

    private static final int LEVEL = 3;

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
     * Compresses a record into zstd frames of at most {@code maxBinary} bytes each, splitting it between lines when
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
        byte[] z = zstd(r, from, to);
        if (z.length <= maxBinary) {
            out.add(z);
            return;
        }
        int mid = lineBreakNear(r, from, to);
        if (mid < 0) {
            int index = 0;
            for (int i = 0; i < from; i++) if (r[i] == '\n') index++;
            throw new EventTooLargeException(
                    index,
                    "takes " + (to - from) + " bytes, " + z.length
                            + " compressed: more than one SQS message holds (" + maxBinary
                            + " bytes compressed, " + bodyLength(maxBinary)
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

    private static byte[] zstd(byte[] r, int from, int to) throws IOException {
        byte[] src = r;
        int off = from;
        int len = to - from;
        if (len > 0 && r[to - 1] != '\n') { // records concatenate line by line
            src = Arrays.copyOfRange(r, from, to + 1);
            src[len++] = '\n';
            off = 0;
        }
        byte[] out = new byte[(int) Zstd.compressBound(len)];
        long n = Zstd.compressByteArray(out, 0, out.length, src, off, len, LEVEL);
        if (Zstd.isError(n)) throw new IOException("zstd could not compress a record: " + Zstd.getErrorName(n));
        return Arrays.copyOf(out, (int) n);
    }

    /** The body of a message holding these zstd frames. */
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
     * @throws IOException when the body is not one of Catchment's messages (no prefix, not base64, not zstd or gzip)
     */
    public static byte[] decode(String body) throws IOException {
        boolean zstd = body.startsWith(PREFIX);
        if (!zstd && !body.startsWith(GZIP_PREFIX))
            throw new IOException("not a Catchment message (no " + PREFIX + " or " + GZIP_PREFIX + " prefix)");
        byte[] binary;
        try {
            binary = Base64.getDecoder().decode(body.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IOException("not a Catchment message: " + e.getMessage(), e);
        }
        if (zstd) return unzstd(binary);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(binary), 8192)) {
            return in.readAllBytes();
        }
    }

    /**
     * The frames decompressed straight into one array of the size they declare (one native call a frame, no copying);
     * frames that do not declare their size are streamed.
     */
    private static byte[] unzstd(byte[] in) throws IOException {
        try {
            long total = 0;
            for (int at = 0; at < in.length; ) {
                long frame = Zstd.findFrameCompressedSize(in, at, in.length - at);
                long size = Zstd.getFrameContentSize(in, at, in.length - at);
                if (Zstd.isError(frame) || frame <= 0 || size < 0) return unzstdStreaming(in);
                total += size;
                at += (int) frame;
            }
            if (total > EventLog.MAX_RECORD_BYTES)
                throw new IOException("not a Catchment message: it would decompress to " + total + " bytes");
            byte[] out = new byte[(int) total];
            int to = 0;
            for (int at = 0; at < in.length; ) {
                int frame = (int) Zstd.findFrameCompressedSize(in, at, in.length - at);
                long n = Zstd.decompressByteArray(out, to, out.length - to, in, at, frame);
                if (Zstd.isError(n)) throw new IOException("not a Catchment message: " + Zstd.getErrorName(n));
                to += (int) n;
                at += frame;
            }
            if (to != out.length)
                throw new IOException("not a Catchment message: " + to + " bytes where its frames declare " + total);
            return out;
        } catch (RuntimeException e) { // zstd-jni reports some malformed input by ZstdException
            throw new IOException("not a Catchment message: " + e.getMessage(), e);
        }
    }

    private static byte[] unzstdStreaming(byte[] in) throws IOException {
        try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(in))) {
            return z.readAllBytes();
        }
    }
}
