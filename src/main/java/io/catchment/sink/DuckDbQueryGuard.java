package io.catchment.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

/**
 * Admits only a single SELECT (or WITH … SELECT) statement, asking DuckDB's own parser: {@code json_serialize_sql}
 * serialises SELECT statements only, so DDL, DML, COPY, ATTACH, PRAGMA, SET, INSTALL and LOAD are refused before they
 * run. Table functions must be on an allow-list (no {@code read_csv}, {@code glob}, {@code query}…). This is the
 * second line: the database itself runs with {@code enable_external_access=false} and a locked configuration, so even
 * an admitted statement cannot reach files or the network. Thread-safe.
 */
final class DuckDbQueryGuard {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> ALLOWED_TABLE_FUNCTIONS = Set.of("range", "generate_series", "unnest", "json_each",
      "json_tree", "duckdb_tables", "duckdb_columns", "duckdb_views", "duckdb_schemas", "duckdb_types",
      "duckdb_functions", "duckdb_keywords", "pragma_table_info", "pragma_show", "information_schema");

  private DuckDbQueryGuard() {}

  static void check(Connection conn, String sql) throws SQLException {
    JsonNode tree;
    try (PreparedStatement ps = conn.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)::VARCHAR")) {
      ps.setString(1, sql);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        tree = JSON.readTree(rs.getString(1));
      }
    } catch (IOException e) {
      throw new QueryException(QueryException.Reason.INVALID, "cannot parse the statement: " + e.getMessage());
    }
    if (tree.path("error").asBoolean(false)) {
      String msg = tree.path("error_message").asText();
      if (msg.contains("Only SELECT")) {
        throw new QueryException(QueryException.Reason.FORBIDDEN,
            "only read-only SELECT statements are allowed (no DDL, DML, COPY, ATTACH, SET, PRAGMA, INSTALL or LOAD)");
      }
      throw new QueryException(QueryException.Reason.INVALID, msg);
    }
    int count = tree.path("statements").size();
    if (count != 1) {
      throw new QueryException(QueryException.Reason.FORBIDDEN, "send exactly one statement (got " + count + ")");
    }
    walk(tree.path("statements"));
  }

  private static void walk(JsonNode n) {
    if (n.isObject()) {
      if ("BASE_TABLE".equals(n.path("type").asText()) && n.path("table_name").asText().matches(".*[/\\\\:.].*")) {
        throw new QueryException(QueryException.Reason.FORBIDDEN, "reading files is not allowed ('"
            + n.path("table_name").asText() + "' is not a table)");
      }
      if ("TABLE_FUNCTION".equals(n.path("type").asText())) {
        String fn = n.path("function").path("function_name").asText();
        if (!ALLOWED_TABLE_FUNCTIONS.contains(fn)) {
          throw new QueryException(QueryException.Reason.FORBIDDEN, "table function " + fn + "() is not allowed");
        }
      }
      n.elements().forEachRemaining(DuckDbQueryGuard::walk);
    } else if (n.isArray()) {
      n.elements().forEachRemaining(DuckDbQueryGuard::walk);
    }
  }
}
