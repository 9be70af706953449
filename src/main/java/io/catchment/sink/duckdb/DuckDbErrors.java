package io.catchment.sink.duckdb;

import java.util.Locale;

/**
 * The one place that tells a DuckDB failure that may pass (I/O, a lock, memory, an interrupted statement) from one
 * that will not (a value or statement the database refuses). DuckDB's JDBC driver reports no error codes, only its
 * message, whose first words name the error class ("IO Error:", "Conversion Error:", …); we read those words only.
 */
final class DuckDbErrors {
    private DuckDbErrors() {}

    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) return true;
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.startsWith("io error")
                    || m.startsWith("out of memory")
                    || m.startsWith("interrupt")
                    || m.contains("could not set lock")
                    || m.contains("no space left")
                    || m.startsWith("fatal error")
                    || m.startsWith("connection")
                    || m.contains("database has been invalidated")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether DuckDB gave up on its database instance: "database has been invalidated" (every statement after an
     * internal error) or "Cannot continue operation" (a rollback that failed); only opening the database again helps.
     */
    static boolean isBroken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("database has been invalidated") || m.contains("cannot continue operation")) return true;
        }
        return false;
    }

    /** Whether opening the file failed on its lock, held by another process ("Could not set lock", "Conflicting lock"). */
    static boolean isLockConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("could not set lock") || m.contains("conflicting lock")) return true;
        }
        return false;
    }

    private static final java.util.regex.Pattern ORIGINAL_LINE =
            java.util.regex.Pattern.compile("Original Line: \"((?:[^\"]|\"\")*)\",");

    /**
     * The id of the row DuckDB's CSV reader refused, from its message ({@code CSV Error on Line: N ... Original Line:
     * "id",...}: staged rows begin with the event id), or null when the message quotes no row.
     */
    static String culprit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            var m = ORIGINAL_LINE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) return m.group(1).replace("\"\"", "\"");
        }
        return null;
    }
}
