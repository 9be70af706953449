package io.catchment.collector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads request bodies within a byte limit, on the wire and again after gzip decoding, so neither a large body nor
 * a small gzip bomb can use more than the limit of memory.
 */
public final class Bodies {
    private Bodies() {}

    public static byte[] read(InputStream in, long contentLength, long limit) throws IOException {
        if (contentLength > limit) throw tooLarge(contentLength, limit, "");
        return readBounded(in, limit, "");
    }

    /**
     * Decodes {@code Content-Encoding}: identity or gzip (also detected by its magic bytes). The result is well-formed
     * UTF-8: malformed sequences become U+FFFD ({@link io.catchment.event.Unicode}).
     */
    public static byte[] decode(byte[] body, String encoding, long limit) {
        return io.catchment.event.Unicode.wellFormed(decoded(body, encoding, limit));
    }

    private static byte[] decoded(byte[] body, String encoding, long limit) {
        String enc = encoding == null ? "" : encoding.trim().toLowerCase(java.util.Locale.ROOT);
        boolean magic = body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
        if (enc.isEmpty() || enc.equals("identity")) {
            if (!magic) return body;
        } else if (!enc.equals("gzip") && !enc.equals("x-gzip")) {
            throw HttpProblem.of(
                    415, "unsupported_encoding", "Content-Encoding '" + encoding + "' is not supported; use gzip");
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body), 8192)) {
            return readBounded(in, limit, " after gzip decoding");
        } catch (HttpProblem p) {
            throw p;
        } catch (ZipException | java.io.EOFException e) {
            throw HttpProblem.of(400, "bad_gzip", "the body is not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw HttpProblem.of(400, "bad_gzip", "the body could not be gzip-decoded: " + e.getMessage());
        }
    }

    private static byte[] readBounded(InputStream in, long limit, String where) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[16384];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) throw tooLarge(total, limit, where);
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static HttpProblem tooLarge(long size, long limit, String where) {
        return HttpProblem.of(
                413,
                "too_large",
                "the request body" + where + " is over the limit of " + limit + " bytes (limits.max_request_bytes)"
                        + (size > 0 ? "; got at least " + size : ""));
    }
}
