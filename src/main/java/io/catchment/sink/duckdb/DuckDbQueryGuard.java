package io.catchment.sink.duckdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.catchment.sink.QueryException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * Admits only a single SELECT (or WITH … SELECT) statement, asking DuckDB's own parser: {@code json_serialize_sql}
 * serialises SELECT statements only, so DDL, DML, COPY, ATTACH, PRAGMA, SET, INSTALL and LOAD are refused before they
 * run. Inside the admitted tree it refuses
 * <ul>
 *   <li>query nodes other than SELECT, set operations and (recursive) CTEs: {@code WITH t AS (DELETE … RETURNING *)}
 *       serialises as a {@code DELETE_QUERY_NODE};</li>
 *   <li>table functions not on an allow-list (no {@code read_csv}, {@code glob}, {@code query}, {@code
 *       duckdb_settings}…);</li>
 *   <li>scalar functions that read the server's configuration or environment ({@code current_setting}…);</li>
 *   <li>system views that show settings, file paths or logs ({@code pg_settings}, {@code duckdb_databases}…), and
 *       table names that look like files.</li>
 * </ul>
 * This is the first line. The second is the engine: {@link DuckDbQueries} runs every statement in a read-only
 * transaction of a database with external access disabled and its configuration locked. Every refusal is a
 * {@link QueryException} of reason FORBIDDEN naming what was refused. Stateless and thread-safe.
 */
final class DuckDbQueryGuard {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> ALLOWED_TABLE_FUNCTIONS = Set.of(
            "range",
            "generate_series",
            "unnest",
            "json_each",
            "json_tree",
            "duckdb_tables",
            "duckdb_columns",
            "duckdb_indexes",
            "duckdb_views",
            "duckdb_schemas",
            "duckdb_types",
            "duckdb_functions",
            "duckdb_keywords",
            "pragma_table_info",
            "pragma_show");
    static final Set<String> ALLOWED_QUERY_NODES =
            Set.of("SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE");
    /** Scalar functions that read settings (paths, limits), environment variables or session variables. */
    static final Set<String> REFUSED_FUNCTIONS = Set.of("current_setting", "getenv", "getvariable");
    /** System views over duckdb_settings(), duckdb_databases() (file paths) and duckdb_logs(). */
    static final Set<String> REFUSED_VIEWS =
            Set.of("pg_settings", "duckdb_settings", "duckdb_databases", "pragma_database_list", "duckdb_logs");

    private DuckDbQueryGuard() {}

    static void check(Connection conn, String sql) throws SQLException {
        JsonNode tree = serialize(conn, sql);
        if (tree.path("error").asBoolean(false)) {
            String msg = tree.path("error_message").asText();
            if (msg.contains("Only SELECT")) {
                throw forbidden(
                        "only read-only SELECT statements are allowed (no DDL, DML, COPY, ATTACH, SET, PRAGMA, INSTALL or LOAD)");
            }
            throw new QueryException(QueryException.Reason.INVALID, msg);
        }
        int count = tree.path("statements").size();
        if (count != 1) throw forbidden("send exactly one statement (got " + count + ")");
        walk(tree.path("statements"));
    }

    private static JsonNode serialize(Connection conn, String sql) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)::VARCHAR")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JSON.readTree(rs.getString(1));
            }
        } catch (IOException e) {
            throw new QueryException(QueryException.Reason.INVALID, "cannot parse the statement: " + e.getMessage());
        }
    }

    private static void walk(JsonNode n) {
        if (n.isObject()) {
            checkNode(n);
            n.elements().forEachRemaining(DuckDbQueryGuard::walk);
        } else if (n.isArray()) {
            n.elements().forEachRemaining(DuckDbQueryGuard::walk);
        }
    }

    private static void checkNode(JsonNode n) {
        String type = n.path("type").asText();
        if (type.endsWith("_NODE") && !ALLOWED_QUERY_NODES.contains(type)) {
            throw forbidden("data-modifying statements are not allowed in WITH (found "
                    + type.replace("_QUERY_NODE", "").replace("_NODE", "") + ")");
        }
        if ("BASE_TABLE".equals(type)) {
            String table = n.path("table_name").asText();
            if (table.matches(".*[/\\\\:.].*")) {
                throw forbidden("reading files is not allowed ('" + table + "' is not a table)");
            }
            if (REFUSED_VIEWS.contains(table.toLowerCase(Locale.ROOT))) {
                throw forbidden("system view " + table + " is not allowed (it shows server settings, paths or logs)");
            }
        }
        if ("TABLE_FUNCTION".equals(type)) {
            String fn = n.path("function").path("function_name").asText();
            if (!ALLOWED_TABLE_FUNCTIONS.contains(fn.toLowerCase(Locale.ROOT))) {
                throw forbidden("table function " + fn + "() is not allowed");
            }
        }
        if ("FUNCTION".equals(n.path("class").asText())
                && REFUSED_FUNCTIONS.contains(n.path("function_name").asText().toLowerCase(Locale.ROOT))) {
            throw forbidden("function " + n.path("function_name").asText()
                    + "() is not allowed (it reads the server's configuration or environment)");
        }
    }

    private static QueryException forbidden(String message) {
        return new QueryException(QueryException.Reason.FORBIDDEN, message);
    }
}
