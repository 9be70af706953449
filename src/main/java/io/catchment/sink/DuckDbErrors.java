package io.catchment.sink;

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
      if (m.startsWith("io error") || m.startsWith("out of memory") || m.startsWith("interrupt")
          || m.contains("could not set lock") || m.contains("no space left") || m.startsWith("fatal error")
          || m.startsWith("connection") || m.contains("database has been invalidated")) {
        return true;
      }
    }
    return false;
  }
}
