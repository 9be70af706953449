package io.catchment.event;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for text that is not Unicode, the same on every route: <b>it becomes U+FFFD</b> (the replacement
 * character), never a refusal. Two cases reach us:
 * <ul>
 *   <li>bytes that are not UTF-8 (a truncated multi-byte character, an encoded lone surrogate, Latin-1 text): each
 *       malformed sequence becomes one U+FFFD, as Java's and the browsers' decoders do. One exception: a surrogate
 *       <i>pair</i> encoded as two 3-byte sequences (CESU-8) is the character it encodes, since JavaScript encoders
 *       that work on UTF-16 code units send emoji that way;
 *   <li>JSON escapes of a lone surrogate ({@code "\udcbf"}, valid JSON syntax that JavaScript's {@code JSON.stringify}
 *       emits for a string cut in the middle of an emoji): each lone surrogate becomes U+FFFD when the canonical
 *       event is written ({@link EventJson}), so the log, the store and the dead letters only ever hold Unicode.
 * </ul>
 * Refusing instead would cost the whole request (a request is all or nothing) for one character a user cannot see.
 * Thread-safe; both methods return their argument itself when it is already well-formed (the common case, one scan).
 */
public final class Unicode {
    public static final char REPLACEMENT = '\uFFFD';

    private Unicode() {}

    /** {@code s} with every unpaired surrogate replaced by U+FFFD. */
    public static String wellFormed(String s) {
        int len = s.length();
        int i = 0;
        while (i < len) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                i++;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                i += 2;
            } else {
                break;
            }
        }
        if (i == len) return s;
        StringBuilder b = new StringBuilder(len).append(s, 0, i);
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                b.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(REPLACEMENT);
            }
        }
        return b.toString();
    }

    /**
     * {@code utf8} itself when it is well-formed UTF-8, else a copy with each malformed sequence as U+FFFD, but for one
     * recoverable case: a surrogate pair encoded as two 3-byte sequences (CESU-8, what JavaScript encoders that work on
     * UTF-16 code units write, mixpanel-browser's among them) is read as the character it encodes.
     */
    public static byte[] wellFormed(byte[] utf8) {
        return isUtf8(utf8)
                ? utf8
                : new String(cesuPairsAsUtf8(utf8), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }

    /** A copy with each CESU-8 surrogate pair ({@code ED A0-AF xx ED B0-BF xx}) rewritten as 4-byte UTF-8. */
    static byte[] cesuPairsAsUtf8(byte[] b) {
        java.io.ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = 0; i + 5 < b.length; i++) {
            if ((b[i] & 0xff) != 0xed
                    || (b[i + 1] & 0xf0) != 0xa0
                    || !cont(b[i + 2])
                    || (b[i + 3] & 0xff) != 0xed
                    || (b[i + 4] & 0xf0) != 0xb0
                    || !cont(b[i + 5])) {
                continue;
            }
            char high = (char) (0xd000 | (b[i + 1] & 0x3f) << 6 | (b[i + 2] & 0x3f));
            char low = (char) (0xd000 | (b[i + 4] & 0x3f) << 6 | (b[i + 5] & 0x3f));
            int cp = Character.toCodePoint(high, low);
            if (out == null) out = new java.io.ByteArrayOutputStream(b.length);
            out.write(b, copied, i - copied);
            out.write(0xf0 | cp >> 18);
            out.write(0x80 | (cp >> 12 & 0x3f));
            out.write(0x80 | (cp >> 6 & 0x3f));
            out.write(0x80 | (cp & 0x3f));
            i += 5;
            copied = i + 1;
        }
        if (out == null) return b;
        out.write(b, copied, b.length - copied);
        return out.toByteArray();
    }

    /** Whether the bytes are well-formed UTF-8 (RFC 3629: shortest forms only, no surrogates, up to U+10FFFF). */
    public static boolean isUtf8(byte[] b) {
        return isUtf8(b, 0, b.length);
    }

    /** Whether {@code b[off, off + len)} is well-formed UTF-8. */
    public static boolean isUtf8(byte[] b, int off, int len) {
        int n = off + len;
        int i = off;
        while (i < n) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xff;
            if (c >= 0xc2 && c <= 0xdf) {
                if (i + 1 >= n || !cont(b[i + 1])) return false;
                i += 2;
            } else if (c >= 0xe0 && c <= 0xef) {
                if (i + 2 >= n || !cont(b[i + 1]) || !cont(b[i + 2])) return false;
                int c1 = b[i + 1] & 0xff;
                if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f)) return false; // overlong, or a surrogate
                i += 3;
            } else if (c >= 0xf0 && c <= 0xf4) {
                if (i + 3 >= n || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) return false;
                int c1 = b[i + 1] & 0xff;
                if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f)) return false; // overlong, or past U+10FFFF
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean cont(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
