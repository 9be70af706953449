package io.catchment.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;

/**
 * Flattens a JSON object, read straight from a parser, into typed {@link Field}s.
 *
 * <ul>
 *   <li>Nested objects are joined with {@code _}: {@code {"a":{"b":1}}} → {@code a_b}; names are sanitised by
 *       {@link Names#sanitize}. Arrays, empty objects and objects nested deeper than {@link #MAX_DEPTH} are kept as
 *       JSON text. Nulls are skipped.
 *   <li>Types: booleans → BOOLEAN; integers that fit 64 bits → BIGINT; other numbers → DOUBLE; integers too large for
 *       64 bits → VARCHAR (every digit kept); ISO-8601 date-times → TIMESTAMP; other strings → VARCHAR.
 * </ul>
 * Two keys of one row may land on the same name ({@code "Plan"} and {@code "plan"}); the loader gives the later one
 * {@link Field#collisionName()}.
 * Caches sanitised names, so keep one instance per thread; not thread-safe.
 */
public final class Flattener {
    public static final int MAX_DEPTH = 10;
    private static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");
    private static final int MAX_CACHED = 200_000;

    /** A sanitised column name and its source path, with the columns of the keys under it met so far. */
    private static final class Column {
        final String name;
        final String source;
        HashMap<String, Column> children;

        Column(String name, String source) {
            this.name = name;
            this.source = source;
        }
    }

    /** The top-level objects ("properties", "context"…) by prefix; each holds the names met under it. */
    private final HashMap<String, Column> roots = new HashMap<>();

    private byte[] buf;
    private int off;
    private int cached;

    /**
     * Flattens the object the parser is positioned on (at START_OBJECT) into {@code out}. {@code buf} and {@code off}
     * are the parser's input, from which arrays are copied verbatim as JSON text.
     */
    public void flatten(JsonParser p, byte[] buf, int off, String prefix, List<Field> out) throws IOException {
        this.buf = buf;
        this.off = off;
        Column root = roots.get(prefix);
        if (root == null) {
            root = new Column(prefix, "/" + prefix);
            roots.put(prefix, root);
        }
        object(p, root, 0, out, p.nextToken());
    }

    /** Reads an object's fields, starting at {@code first} (its first FIELD_NAME, or END_OBJECT). */
    private void object(JsonParser p, Column parent, int depth, List<Field> out, JsonToken first) throws IOException {
        for (JsonToken t = first; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            Column c = column(parent, p.currentName());
            String name = c.name;
            String source = c.source;
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT && depth + 1 < MAX_DEPTH) {
                JsonToken inner = p.nextToken();
                if (inner == JsonToken.END_OBJECT) {
                    emit(out, name, source, ColumnType.JSON, new Field.JsonText("{}"));
                } else {
                    object(p, c, depth + 1, out, inner);
                }
            } else {
                value(p, v, name, source, out);
            }
        }
    }

    private void value(JsonParser p, JsonToken t, String name, String source, List<Field> out) throws IOException {
        switch (t) {
            case VALUE_NULL -> {}
            case VALUE_TRUE -> emit(out, name, source, ColumnType.BOOLEAN, Boolean.TRUE);
            case VALUE_FALSE -> emit(out, name, source, ColumnType.BOOLEAN, Boolean.FALSE);
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    emit(out, name, source, ColumnType.VARCHAR, p.getText());
                } else {
                    emit(out, name, source, ColumnType.BIGINT, p.getLongValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                double d = p.getDoubleValue();
                if (exact(p, d)) {
                    emit(out, name, source, ColumnType.DOUBLE, d);
                } else {
                    emit(
                            out,
                            name,
                            source,
                            ColumnType.VARCHAR,
                            p.getText()); // digits a double would lose: kept as text
                }
            }
            case VALUE_STRING -> {
                Field.RawText raw = raw(p);
                if (raw != null) {
                    emit(out, name, source, ColumnType.VARCHAR, raw);
                    return;
                }
                String s = p.getText();
                Instant i = parseTime(s);
                emit(
                        out,
                        name,
                        source,
                        i == null ? ColumnType.VARCHAR : ColumnType.TIMESTAMP,
                        i == null ? s : new Field.TimeValue(s, i));
            }
            default -> emit(out, name, source, ColumnType.JSON, new Field.JsonText(json(p)));
        }
    }

    /**
     * Whether the double holds the number as sent: up to 15 characters of a normal number always round-trip; past that
     * (long decimals), out of range (1e400: infinite; 1e-400: zero) or subnormal, the text is compared with the double.
     */
    static boolean exact(JsonParser p, double d) throws IOException {
        if (Double.isInfinite(d) || Double.isNaN(d)) return false;
        if (p.getTextLength() <= 15 && Math.abs(d) >= Double.MIN_NORMAL) return true;
        return new java.math.BigDecimal(p.getText()).compareTo(new java.math.BigDecimal(Double.toString(d))) == 0;
    }

    private static void emit(List<Field> out, String name, String source, ColumnType type, Object v) {
        out.add(new Field(name, type, v, source));
    }

    private Column column(Column parent, String key) {
        HashMap<String, Column> m = parent.children;
        if (m == null) {
            m = new HashMap<>();
            parent.children = m;
        }
        Column c = m.get(key);
        if (c == null) {
            if (cached++ > MAX_CACHED) {
                roots.clear(); // the objects being read keep theirs until they are done
                cached = 0;
            }
            String part = Names.sanitize(key);
            // a key with no letters or digits ("!", "") gets a stable name of its own; joined names never hold "__",
            // which is reserved for typed siblings and collision names
            if (part.isEmpty()) part = "k" + Names.hash(key).substring(0, 6);
            c = new Column(
                    Names.column(parent.name + "_" + part),
                    parent.source + "/" + key.replace("~", "~0").replace("/", "~1"));
            m.put(key, c);
        }
        return c;
    }

    /**
     * The common shape {@code YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM]} read by hand (java.time's parsers cost more
     * than the rest of an event's flattening); null for anything else, which the general parser then reads.
     */
    static Instant fastTime(String s) {
        int n = s.length();
        if (n < 19 || s.charAt(16) != ':') return null;
        int y = digits(s, 0, 4);
        int mo = digits(s, 5, 2);
        int d = digits(s, 8, 2);
        int h = digits(s, 11, 2);
        int mi = digits(s, 14, 2);
        int sec = digits(s, 17, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
            return null;
        if (d > java.time.YearMonth.of(y, mo).lengthOfMonth()) return null;
        int i = 19;
        long nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && Character.isDigit(s.charAt(i))) nanos = nanos * 10 + (s.charAt(i++) - '0');
            if (i == start || (i < n && Character.isDigit(s.charAt(i)))) return null;
            for (int k = i - start; k < 9; k++) nanos *= 10;
        }
        int offset = 0;
        if (i < n) {
            char z = s.charAt(i);
            if ((z == 'Z' || z == 'z') && i + 1 == n) {
                offset = 0;
            } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
                int oh = digits(s, i + 1, 2);
                int om = digits(s, i + 4, 2);
                if (oh < 0 || oh > 18 || om < 0 || om > 59) return null;
                offset = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            } else {
                return null;
            }
        }
        long epoch = java.time.LocalDate.of(y, mo, d).toEpochDay() * 86_400 + h * 3600L + mi * 60L + sec - offset;
        return Instant.ofEpochSecond(epoch, nanos);
    }

    private static int digits(String s, int at, int count) {
        int v = 0;
        for (int k = at; k < at + count; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * The current string's bytes, when it holds no escape and cannot be a time (those are read as text, as before);
     * else null. The parser reads past the string on its next token either way.
     */
    private Field.RawText raw(JsonParser p) {
        int start = off + (int) p.currentTokenLocation().getByteOffset() + 1; // after the opening quote
        byte[] b = buf;
        int i = start;
        while (i < b.length && b[i] != '"' && b[i] != '\\') i++;
        if (i >= b.length || b[i] != '"') return null;
        int len = i - start;
        // the shape parseTime looks for: leave those to it
        if (len >= 16 && len <= 40 && b[start + 4] == '-' && b[start + 7] == '-' && b[start + 13] == ':') return null;
        return new Field.RawText(b, start, len);
    }

    /** The current array or object as the JSON text it was written in (compact canonical JSON). */
    private String json(JsonParser p) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        return new String(buf, off + (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }

    /**
     * Parses ISO-8601 date-times: {@code 2024-05-01T10:00:00Z}, with fraction, with an offset, or without a zone (taken
     * as UTC), and the space-separated {@code 2024-05-01 10:00:00.123456} of the export formats. Else null.
     */
    public static Instant parseTime(String s) {
        int n = s.length();
        if (n < 16 || n > 40 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':') return null;
        char sep = s.charAt(10);
        if (sep != 'T' && sep != ' ' && sep != 't') return null;
        if (!Character.isDigit(s.charAt(0)) || !Character.isDigit(s.charAt(11))) return null;
        Instant fast = fastTime(s);
        if (fast != null) return fast.isBefore(MIN_TIME) || fast.isAfter(MAX_TIME) ? null : fast;
        String iso = sep == 'T' ? s : s.substring(0, 10) + 'T' + s.substring(11);
        try {
            char last = iso.charAt(iso.length() - 1);
            boolean zoned = last == 'Z' || last == 'z' || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10;
            Instant t = zoned
                    ? OffsetDateTime.parse(iso.replace('z', 'Z')).toInstant()
                    : LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
            // only years 1..9999 in UTC are times every store reads; others stay strings
            return t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME) ? null : t;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
