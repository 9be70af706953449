package io.catchment.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Turns source keys and event names into SQL identifiers: lower-case, every run of characters other than
 * {@code [a-z0-9]} becomes one {@code _}, no leading/trailing {@code _}, never starting with a digit, at most
 * {@link #MAX_LENGTH} characters (longer names keep a prefix and end in a stable hash of the whole name).
 */
public final class Names {
    public static final int MAX_LENGTH = 63;
    /** Tables the per-event layout owns; an event whose name would land on one gets a {@code track_} prefix. */
    static final Set<String> RESERVED_TABLES = Set.of(
            "events", "identifies", "pages", "screens", "groups", "aliases", "users", "tracks", IdentityLinks.TABLE);

    private Names() {}

    public static String sanitize(String raw) {
        StringBuilder b = new StringBuilder(raw.length());
        boolean underscore = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 'A' && c <= 'Z') c = (char) (c + 32);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (underscore && b.length() > 0) b.append('_');
                underscore = false;
                b.append(c);
            } else {
                underscore = true;
            }
        }
        return b.toString();
    }

    /** Column name for a flattened path whose parts are already sanitised, shortened when too long. */
    public static String column(String joined) {
        String s = joined.isEmpty() ? "_" : joined;
        if (Character.isDigit(s.charAt(0))) s = "_" + s;
        return shorten(s);
    }

    /** Table name for an event name; never one of the reserved tables, never empty, never starting with {@code _}. */
    public static String table(String eventName) {
        String s = eventName == null ? "" : sanitize(eventName);
        if (s.isEmpty()) return "unnamed_event";
        if (Character.isDigit(s.charAt(0)) || RESERVED_TABLES.contains(s)) s = "track_" + s;
        return shorten(s);
    }

    static String shorten(String s) {
        if (s.length() <= MAX_LENGTH) return s;
        String hash = hash(s).substring(0, 8);
        return s.substring(0, MAX_LENGTH - 9) + "_" + hash;
    }

    public static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Double-quoted SQL identifier. */
    public static String quote(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }
}
