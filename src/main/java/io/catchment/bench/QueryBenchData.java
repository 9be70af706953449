package io.catchment.bench;

import io.catchment.schema.PersonKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The data set of {@code bench-query}, written straight into tables the loader created (so they have its layout,
 * types and sort order): {@code events} events over {@code days} days ending now, in time order, from {@code users}
 * users; 30 event names ({@code event_0}, a page-view-like 40%, the rest even); 10% of events anonymous only, 2%
 * carrying both ids (the identity links); per-event tables with {@code price} (BIGINT) and {@code plan} (3 values);
 * the {@code users} table with a {@code plan} trait; person keys and {@code identity_links} as the loader writes them. Deterministic: every value is a hash of the event's number.
 */
final class QueryBenchData {
    static final int NAMES = 30;

    private QueryBenchData() {}

    /** The SQL that fills the tables, for DuckDB ({@code clickhouse} false) or ClickHouse. */
    static List<String> statements(boolean clickhouse, long events, int days, int users, Instant end) {
        long span = days * 86_400L;
        long start = end.getEpochSecond() - span;
        List<String> out = new ArrayList<>();
        String h = clickhouse ? "cityHash64" : "hash";
        String n = clickhouse ? "number" : "i";
        String from = clickhouse ? " FROM system.numbers LIMIT " + events : " FROM range(" + events + ") AS t(i)";
        String ts = clickhouse
                ? "toDateTime(" + start + " + intDiv(" + n + " * " + span + ", " + events + "), 'UTC')"
                : "to_timestamp(" + start + " + (" + n + " * " + span + ") // " + events + ")";
        String event = "concat('event_', "
                + str(
                        clickhouse,
                        "if(" + h + "(" + n + ") % 100 < 40, 0, 1 + " + h + "(" + n + " + 1) % " + (NAMES - 1) + ")")
                + ")";
        String user = str(clickhouse, h + "(" + n + " * 31) % " + users);
        String kind = h + "(" + n + " * 17) % 100"; // < 10 anonymous only, < 12 both ids
        String who = PersonKey.sql(
                clickhouse ? "ifNull(user_id, anonymous_id)" : "coalesce(user_id, anonymous_id)", clickhouse);
        out.add("INSERT INTO events (id, type, event, user_id, anonymous_id, timestamp, sent_at, received_at, "
                + "source, person_key) SELECT id, type, event, user_id, anonymous_id, timestamp, sent_at, received_at, "
                + "source, " + who + " FROM (SELECT concat('g', " + str(clickhouse, n) + ") AS id, 'track' AS type, "
                + event + " AS event, if(" + kind + " < 10, NULL, concat('user_', " + user + ")) AS user_id, if("
                + kind + " < 12, concat('anon_', " + user + "), NULL) AS anonymous_id, " + ts + " AS timestamp, "
                + ts + " AS sent_at, " + ts + " AS received_at, 'bench' AS source" + from + ") AS g");
        for (int k = 0; k < NAMES; k++) {
            out.add("INSERT INTO event_" + k + " (id, type, event, user_id, anonymous_id, timestamp, sent_at, "
                    + "received_at, source, person_key, properties_price, properties_plan) SELECT id, type, event, "
                    + "user_id, anonymous_id, timestamp, sent_at, received_at, source, person_key, " + h
                    + "(id) % 100, "
                    + "concat('plan_', " + str(clickhouse, h + "(id) % 3") + ") FROM events WHERE source = 'bench' AND "
                    + "event = 'event_" + k + "'");
        }
        // the links the loader would have written: anonymous id → user id, for events carrying both
        out.add("INSERT INTO identity_links (id, timestamp, source, alias, person, alias_key, person_key) SELECT id, "
                + "timestamp, source, anonymous_id, user_id, " + PersonKey.sql("anonymous_id", clickhouse) + ", "
                + PersonKey.sql("user_id", clickhouse) + " FROM events WHERE source = 'bench' AND user_id IS NOT NULL "
                + "AND anonymous_id IS NOT NULL");
        String u = clickhouse ? "number" : "i";
        String uFrom = clickhouse ? " FROM system.numbers LIMIT " + users : " FROM range(" + users + ") AS t(i)";
        String t0 = clickhouse ? "toDateTime(" + start + ", 'UTC')" : "to_timestamp(" + start + ")";
        out.add("INSERT INTO users (user_id, traits, trait_times, first_seen, last_seen, updated_at"
                + (clickhouse ? ", version" : "") + ") SELECT concat('user_', " + str(clickhouse, u)
                + "), concat('{\"plan\":\"plan_', " + str(clickhouse, h + "(" + u + ") % 3") + ", '\"}'), '{}', "
                + t0 + ", " + t0 + ", " + t0 + (clickhouse ? ", 1" : "") + uFrom);
        return out;
    }

    private static String str(boolean clickhouse, String expr) {
        return clickhouse ? "toString(" + expr + ")" : "CAST(" + expr + " AS VARCHAR)";
    }

    /** Runs the statements in the DuckDB store file {@code file} (the server closed). */
    static void duckdb(Path file, List<String> statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
                Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
            s.execute("CHECKPOINT");
        }
    }

    /** Runs the statements in ClickHouse's {@code database} over HTTP. */
    static void clickhouse(String url, String database, List<String> statements) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String sql : statements) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/?database=" + database))
                    .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) throw new IllegalStateException(res.body() + "\n" + sql);
        }
    }
}
