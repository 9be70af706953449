package io.catchment.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A {@link ZipInputStream} that reads a member whose name is not valid UTF-8 instead of throwing. The JDK decodes
 * names strictly and throws {@link IllegalArgumentException} from {@code getNextEntry}, which would abort a whole
 * import for one odd name (zips written on old Windows tools, in a legacy code page, without the UTF-8 flag). Here
 * each byte that is not part of a valid UTF-8 sequence reads as {@code ?}, so the member is read under a name that
 * differs from the original only there. A name too long to repair before the JDK reads it (over 482 bytes), or
 * another header the JDK refuses, is a {@link ZipException}: a damaged archive, like a bad CRC.
 */
final class LenientZipInputStream extends ZipInputStream {
    private static final int LOCSIG = 0x04034b50;
    private static final int HEADER = 30; // the local file header's fixed part; the name length is at 26
    private static final int PUSHBACK = 512; // what ZipInputStream can push back into its stream

    LenientZipInputStream(InputStream in) {
        super(in);
    }

    @Override
    public ZipEntry getNextEntry() throws IOException {
        closeEntry(); // the stream is now at the next local header
        if (in instanceof PushbackInputStream p) repairName(p);
        try {
            return super.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new ZipException("a zip member's header cannot be read: " + e.getMessage());
        }
    }

    /** Reads the next local header and its name, replaces the name's invalid UTF-8 bytes, and pushes both back. */
    private static void repairName(PushbackInputStream p) throws IOException {
        byte[] head = new byte[PUSHBACK];
        int n = readUpTo(p, head, 0, HEADER);
        int nameLength = n == HEADER ? (head[26] & 0xff) | (head[27] & 0xff) << 8 : 0;
        if (n == HEADER && int32(head) == LOCSIG && HEADER + nameLength <= PUSHBACK) {
            int got = readUpTo(p, head, HEADER, nameLength);
            if (got == nameLength) replaceInvalidUtf8(head, HEADER, HEADER + nameLength);
            n += got;
        }
        p.unread(head, 0, n);
    }

    private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int r = in.read(b, off + total, len - total);
            if (r < 0) break;
            total += r;
        }
        return total;
    }

    private static int int32(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** Replaces each byte of {@code b[from, to)} that does not start or continue a valid UTF-8 sequence with '?'. */
    static void replaceInvalidUtf8(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int n = sequence(b, i, to);
            if (n == 0) {
                b[i++] = '?';
            } else {
                i += n;
            }
        }
    }

    /** The length of the valid UTF-8 sequence at {@code i}, or 0 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
    private static int sequence(byte[] b, int i, int to) {
        int b0 = b[i] & 0xff;
        if (b0 < 0x80) return 1;
        int n;
        int lo = 0x80;
        int hi = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            n = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            n = 3;
            if (b0 == 0xe0) lo = 0xa0;
            if (b0 == 0xed) hi = 0x9f;
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            n = 4;
            if (b0 == 0xf0) lo = 0x90;
            if (b0 == 0xf4) hi = 0x8f;
        } else {
            return 0;
        }
        if (i + n > to) return 0;
        int b1 = b[i + 1] & 0xff;
        if (b1 < lo || b1 > hi) return 0;
        for (int k = 2; k < n; k++) {
            if ((b[i + k] & 0xc0) != 0x80) return 0;
        }
        return n;
    }
}
