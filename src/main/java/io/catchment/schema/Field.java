package io.catchment.schema;

import java.time.Instant;

/**
 * One flattened value: the column it wants, and the path of the source key it came from as a JSON Pointer
 * ({@code /properties/Coupon Code}; null for envelope fields), the type inferred from it, and the value itself ({@link Boolean},
 * {@link Long}, {@link Double}, {@link TimeValue}, {@link String} or {@link RawText}, or {@link JsonText} for arrays and
 * deep objects).
 */
public record Field(String name, ColumnType type, Object value, String source) {

    /** A field without a source key (envelope fields). */
    public Field(String name, ColumnType type, Object value) {
        this(name, type, value, null);
    }

    /**
     * The column this field takes when an earlier field of the same row already holds {@link #name}: the name plus
     * {@code __} and the first 6 hex digits of sha256(name NUL source), stable for that source path.
     */
    public String collisionName() {
        return Names.column(name + "__" + Names.hash(name + "\u0000" + source).substring(0, 6));
    }

    /** JSON text of an array, an empty object, or an object nested too deep to flatten. */
    public record JsonText(String json) {
        @Override
        public String toString() {
            return json;
        }
    }

    /**
     * A string that parsed as a point in time; keeps the original text for VARCHAR columns. {@code instant} is null when
     * the text is already canonical ISO-8601 UTC ({@link java.time.Instant#toString}).
     */
    /**
     * A JSON string value as the bytes it was written with, for a string that holds no escape: those bytes are then its
     * UTF-8 text, which the stores' staging copies as they are instead of decoding and encoding a String.
     */
    public record RawText(byte[] buf, int off, int len) {
        @Override
        public String toString() {
            return new String(buf, off, len, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    public record TimeValue(String text, Instant instant) {
        @Override
        public String toString() {
            return text;
        }

        /** The value as ISO-8601 UTC text. */
        public String iso() {
            return instant == null ? text : iso(instant);
        }

        /**
         * What {@link Instant#toString} gives for years 1 to 9999 (the times {@link Flattener#parseTime} accepts),
         * written by hand: java.time's formatter was a tenth of an import's write thread.
         */
        static String iso(Instant t) {
            long secs = t.getEpochSecond();
            int nano = t.getNano();
            java.time.LocalDate d = java.time.LocalDate.ofEpochDay(Math.floorDiv(secs, 86_400));
            int y = d.getYear();
            if (y < 1 || y > 9999) return t.toString();
            int s = (int) Math.floorMod(secs, 86_400);
            char[] c = new char[30];
            put4(c, 0, y);
            c[4] = '-';
            put2(c, 5, d.getMonthValue());
            c[7] = '-';
            put2(c, 8, d.getDayOfMonth());
            c[10] = 'T';
            put2(c, 11, s / 3600);
            c[13] = ':';
            put2(c, 14, s / 60 % 60);
            c[16] = ':';
            put2(c, 17, s % 60);
            int n = 19;
            if (nano != 0) {
                c[n++] = '.';
                int digits = nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
                int v = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1000 : nano;
                for (int i = n + digits - 1; i >= n; i--, v /= 10) c[i] = (char) ('0' + v % 10);
                n += digits;
            }
            c[n++] = 'Z';
            return new String(c, 0, n);
        }

        private static void put2(char[] c, int at, int v) {
            c[at] = (char) ('0' + v / 10);
            c[at + 1] = (char) ('0' + v % 10);
        }

        private static void put4(char[] c, int at, int v) {
            put2(c, at, v / 100);
            put2(c, at + 2, v % 100);
        }
    }
}
