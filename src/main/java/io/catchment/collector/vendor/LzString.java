package io.catchment.collector.vendor;

import java.util.Arrays;

/**
 * Decompression of lz-string's {@code compressToBase64} output (the {@code compression=lz64} that older posthog-js
 * sends): lz-string 1.4's {@code _decompress}, returning null for input that is not lz-string.
 *
 * <p>Bounded, unlike the original: it ends once the input is used up (lz-string's own check never fired in the
 * direct port, so 9 bytes could loop forever), and the output is at most {@code maxChars} characters, else it
 * throws {@link TooLong}. Memory is that output plus 8 bytes per dictionary entry: an entry is kept as the place in
 * the output where its text already stands, never as a string of its own.
 */
final class LzString {
    private static final String KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    private static final int RESET = 32; // 6 bits per base64 character

    /** The decompressed text would be longer than the caller's limit. */
    static final class TooLong extends RuntimeException {
        TooLong(long maxChars) {
            super("the lz64 data decompresses to over " + maxChars + " characters");
        }
    }

    private LzString() {}

    static String decompressFromBase64(String input, long maxChars) {
        if (input == null) return null;
        String in = input.replace(' ', '+').replaceAll("[\r\n]", "");
        if (in.isEmpty()) return "";
        int[] values = new int[in.length()];
        for (int i = 0; i < in.length(); i++) {
            values[i] = KEY.indexOf(in.charAt(i));
            if (values[i] < 0) return null;
        }
        return new Decompressor(values, maxChars).run();
    }

    /** One decompression: the bit reader, the output and the dictionary (entries 0-2 are lz-string's codes). */
    private static final class Decompressor {
        private final int[] values;
        private final long maxChars;
        private int val;
        private int position = RESET;
        private int index = 1; // the next input value; past the end reads zeros, as lz-string does
        private final StringBuilder result = new StringBuilder();
        private int[] starts = new int[64];
        private int[] lengths = new int[64];
        private int size = 3;

        Decompressor(int[] values, long maxChars) {
            this.values = values;
            this.maxChars = maxChars;
            this.val = values[0];
        }

        private int bits(int count) {
            int b = 0;
            for (int power = 1; power != 1 << count; power <<= 1) {
                int resb = val & position;
                position >>= 1;
                if (position == 0) {
                    position = RESET;
                    val = index < values.length ? values[index] : 0;
                    index++;
                }
                if (resb > 0) b |= power;
            }
            return b;
        }

        /** A dictionary entry: {@code length} characters of the output from {@code start}. */
        private void add(int start, int length) {
            if (size == starts.length) {
                starts = Arrays.copyOf(starts, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
            }
            starts[size] = start;
            lengths[size] = length;
            size++;
        }

        private void append(char c) {
            if (result.length() >= maxChars) throw new TooLong(maxChars);
            result.append(c);
        }

        String run() {
            char c;
            switch (bits(2)) {
                case 0 -> c = (char) bits(8);
                case 1 -> c = (char) bits(16);
                case 2 -> {
                    return "";
                }
                default -> {
                    return null;
                }
            }
            add(0, 1);
            append(c);
            int w = 0; // the previous entry: wLength characters from w
            int wLength = 1;
            int enlargeIn = 4;
            int numBits = 3;
            while (true) {
                if (index > values.length) return null; // the input ended without lz-string's end code
                int cc = bits(numBits);
                int literal = -1;
                switch (cc) {
                    case 0, 1 -> {
                        literal = bits(cc == 0 ? 8 : 16);
                        cc = size; // added below, at the output position the literal is written to
                        enlargeIn--;
                    }
                    case 2 -> {
                        return result.toString();
                    }
                    default -> {}
                }
                if (enlargeIn == 0) {
                    enlargeIn = 1 << numBits;
                    numBits++;
                }
                int start = result.length();
                if (literal >= 0) {
                    add(start, 1);
                    append((char) literal);
                } else if (cc < size) {
                    for (int i = 0; i < lengths[cc]; i++) append(result.charAt(starts[cc] + i));
                } else if (cc == size) { // w + w[0]
                    for (int i = 0; i < wLength; i++) append(result.charAt(w + i));
                    append(result.charAt(w));
                } else {
                    return null;
                }
                add(w, wLength + 1); // w + the entry's first character, which follows w in the output
                enlargeIn--;
                w = start;
                wLength = result.length() - start;
                if (enlargeIn == 0) {
                    enlargeIn = 1 << numBits;
                    numBits++;
                }
            }
        }
    }
}
