package io.catchment.analytics;

import io.catchment.event.EventJson;
import io.catchment.schema.IdentityLinks;
import io.catchment.schema.PersonKey;
import io.catchment.schema.Router;
import io.catchment.schema.TableSchema;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * People: a person's profile (the ids merged into them by {@link Identities}, their latest traits from {@code users},
 * first and last seen, events per source), their event stream newest first with every property, paged by a cursor,
 * and a search over ids and trait values.
 */
final class People {
    private final Analytics a;

    People(Analytics a) {
        this.a = a;
    }

    /**
     * The person {@code id} belongs to, and every id merged into that person (the person's own first). Reads only the
     * links that name these ids, not the whole map.
     */
    List<String> ids(String id, Map<String, TableSchema> catalog) {
        if (Identities.keyed(catalog) && catalog.containsKey(IdentityLinks.TABLE)) {
            List<String> ids = linkedIds(id, true);
            return ids.get(0).equals(id) ? ids : linkedIds(ids.get(0), false);
        }
        return idsByText(id, catalog);
    }

    /** {@link #ids} by the linked ids' text, from whichever links the store has ({@link Identities#map}). */
    List<String> idsByText(String id, Map<String, TableSchema> catalog) {
        Sql q = a.sql();
        q.a("SELECT _mp FROM (");
        Identities.map(q, catalog, (s, column) -> s.id(column).a(" = ").v(id));
        q.a(") AS m");
        List<List<Object>> rows = a.rows(q);
        String person = rows.isEmpty() || rows.get(0).get(0) == null
                ? id
                : rows.get(0).get(0).toString();
        // ids linked to the person at some point, then those whose first link is the person
        Sql linked = a.sql();
        linked.a("SELECT DISTINCT _alias FROM (");
        Identities.map(linked, catalog, (s, column) -> s.a("user_id = ").v(person));
        linked.a(") AS m ORDER BY _alias LIMIT 1000");
        List<String> candidates = new ArrayList<>();
        for (List<Object> r : a.rows(linked)) candidates.add(r.get(0).toString());
        Set<String> ids = new LinkedHashSet<>();
        ids.add(person);
        if (!candidates.isEmpty()) {
            Sql mine = a.sql();
            mine.a("SELECT _alias FROM (");
            Identities.map(mine, catalog, (s, column) -> {
                s.id(column).a(" IN (");
                for (int i = 0; i < candidates.size(); i++) (i > 0 ? s.a(", ") : s).v(candidates.get(i));
                s.a(")");
            });
            mine.a(") AS m WHERE _mp = ").v(person).a(" ORDER BY _alias");
            for (List<Object> r : a.rows(mine)) ids.add(r.get(0).toString());
        }
        return new ArrayList<>(ids);
    }

    /**
     * {@link #ids} by the links' keys, in one statement: the links of {@code person}, the links to it, and every link
     * of the ids linked to it (equality on an integer key each, answered from zone maps or the person_key index: ~4
     * ms at 10M events, against ~20 ms for the three statements by text). The texts are compared here, so a key
     * collision cannot merge two people. Returns {@code person}'s person (the first id its own first link names, else
     * itself) and, when that is {@code person}, the ids whose first link names it; when it is another id and {@code
     * resolve}, only that id, and the caller asks again for it with {@code resolve} false (links are followed one
     * step, as {@link Identities} says).
     */
    private List<String> linkedIds(String person, boolean resolve) {
        long key = PersonKey.of(person);
        Sql q = a.sql();
        String cols =
                "SELECT alias, person, " + Sql.quoted(q.dialect, "timestamp") + " AS _at FROM " + IdentityLinks.TABLE;
        q.a("SELECT alias, person, _at FROM (" + cols + " WHERE alias_key = " + key);
        q.a(" UNION ALL " + cols + " WHERE person_key = " + key);
        q.a(" UNION ALL " + cols + " WHERE alias_key IN (SELECT alias_key FROM " + IdentityLinks.TABLE);
        q.a(" WHERE person_key = " + key + ")) AS l ORDER BY _at, person");
        Map<String, String> first = new LinkedHashMap<>();
        for (List<Object> r : a.rows(q)) {
            if (r.get(0) == null || r.get(1) == null) continue;
            first.putIfAbsent(r.get(0).toString(), r.get(1).toString());
        }
        String own = first.get(person);
        if (resolve && own != null && !own.equals(person)) return List.of(own);
        Set<String> ids = new java.util.TreeSet<>();
        first.forEach((alias, to) -> {
            if (to.equals(person) && !alias.equals(person)) ids.add(alias);
        });
        List<String> out = new ArrayList<>();
        out.add(person);
        for (String alias : ids) {
            if (out.size() > 1000) break;
            out.add(alias);
        }
        return out;
    }

    Map<String, Object> profile(String id) {
        Map<String, TableSchema> catalog = a.catalog();
        if (!catalog.containsKey(Router.EVENTS)) throw new BadRequest("id", "no events have been loaded yet");
        List<String> ids = ids(id, catalog);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", ids.get(0));
        out.put("ids", ids);
        Sql u = a.sql();
        if (u.clickhouse()) {
            u.a("SELECT argMax(traits, version), argMax(first_seen, version), argMax(last_seen, version) FROM users"
                            + " WHERE user_id = ")
                    .v(ids.get(0))
                    .a(" GROUP BY user_id");
        } else {
            u.a("SELECT CAST(traits AS VARCHAR), first_seen, last_seen FROM users WHERE user_id = ")
                    .v(ids.get(0));
        }
        List<List<Object>> user = a.rows(u);
        Object traits = Map.of();
        if (!user.isEmpty() && user.get(0).get(0) != null) {
            try {
                traits = EventJson.MAPPER.readTree(user.get(0).get(0).toString());
            } catch (java.io.IOException e) {
                traits = user.get(0).get(0).toString();
            }
        }
        out.put("traits", traits);
        Sql s = a.sql();
        s.a("SELECT source, count(*), min(")
                .id("timestamp")
                .a("), max(")
                .id("timestamp")
                .a(") FROM events WHERE ");
        owns(s, ids, Identities.keyed(catalog));
        s.a(" GROUP BY source ORDER BY source");
        List<Map<String, Object>> sources = new ArrayList<>();
        long events = 0;
        String first = null, last = null;
        for (List<Object> r : a.rows(s)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", r.get(0));
            m.put("events", Analytics.value(r.get(1)));
            m.put("first_seen", r.get(2));
            m.put("last_seen", r.get(3));
            sources.add(m);
            events += (long) Analytics.number(r.get(1));
            if (first == null || String.valueOf(r.get(2)).compareTo(first) < 0) first = String.valueOf(r.get(2));
            if (last == null || String.valueOf(r.get(3)).compareTo(last) > 0) last = String.valueOf(r.get(3));
        }
        out.put("first_seen", first);
        out.put("last_seen", last);
        out.put("events", events);
        out.put("sources", sources);
        return out;
    }

    /**
     * The rows of the person whose ids these are: by person key when the store keeps them (an integer scan), else by
     * user id or anonymous id.
     */
    static void owns(Sql s, List<String> ids, boolean keyed) {
        if (keyed) {
            // DuckDB pushes a semi-join's keys into the scan; a literal IN list of two or more it filters row by row
            // after reading (10M events: 50 ms against 400 ms)
            s.a(PersonKey.COLUMN + (s.clickhouse() ? " IN (" : " IN (SELECT unnest(["));
            for (int i = 0; i < ids.size(); i++) (i > 0 ? s.a(", ") : s).v(PersonKey.of(ids.get(i)));
            s.a(s.clickhouse() ? ")" : "]))");
            return;
        }
        s.a("(user_id IN (");
        for (int i = 0; i < ids.size(); i++) (i > 0 ? s.a(", ") : s).v(ids.get(i));
        s.a(") OR anonymous_id IN (");
        for (int i = 0; i < ids.size(); i++) (i > 0 ? s.a(", ") : s).v(ids.get(i));
        s.a("))");
    }

    /**
     * The most events a person may have for their page to be read by the person_key index: all their rows are read
     * and sorted by time (the index has no order); above this the page is found by scanning the key column.
     */
    static final long INDEXED_MAX = 20_000;

    /** The person's events, counted by the person_key index. */
    private long indexedCount(List<String> ids) {
        Sql c = a.sql().a("SELECT count(*) FROM events WHERE ");
        indexedOwns(c, ids);
        return ((Number) a.rows(c).get(0).get(0)).longValue();
    }

    /** {@code person_key IN (...)} as literals, the form DuckDB answers from the person_key index. */
    static void indexedOwns(Sql s, List<String> ids) {
        s.a(PersonKey.COLUMN + " IN (");
        for (int i = 0; i < ids.size(); i++) s.a((i > 0 ? ", " : "") + PersonKey.of(ids.get(i)));
        s.a(")");
    }

    /**
     * The person's events, newest first: {@code limit} of them older than the cursor {@code before} (the {@code next}
     * of the page before), each with its envelope, context and properties.
     */
    Map<String, Object> events(String id, int limit, String before) {
        Map<String, TableSchema> catalog = a.catalog();
        if (!catalog.containsKey(Router.EVENTS)) throw new BadRequest("id", "no events have been loaded yet");
        List<String> ids = ids(id, catalog);
        boolean keyed = Identities.keyed(catalog);
        Sql q = a.sql();
        long owned = keyed && !q.clickhouse() && a.personIndex ? indexedCount(ids) : -1;
        boolean indexed = owned >= 0 && owned <= INDEXED_MAX;
        // DuckDB reads every column of the rows a filter passes over unless the page is first found by row id; with
        // the index, the person's rows are found by it (materialized first: any other condition in the same scan
        // turns the index off)
        boolean byRow = keyed && !q.clickhouse() && !indexed;
        // ClickHouse reads every column of each granule a filter passes: the page's oldest time comes first, from the
        // key and time columns, and bounds the rows read (ClickHouseRows#pageFrom)
        boolean bounded = keyed && q.clickhouse();
        Instant from = bounded ? ClickHouseRows.pageFrom(a, ids, limit, before) : null;
        if (indexed) {
            q.a("WITH p AS MATERIALIZED (SELECT * FROM events WHERE ");
            indexedOwns(q, ids);
            q.a(") SELECT * FROM p WHERE true");
        } else {
            q.a(
                    byRow
                            ? "SELECT * FROM events WHERE rowid IN (SELECT rowid FROM events WHERE "
                            : bounded ? "SELECT * FROM events PREWHERE " : "SELECT * FROM events WHERE ");
            owns(q, ids, keyed);
        }
        if (from != null) q.a(" AND ").id("timestamp").a(" >= ").time(from);
        before(q, before);
        q.a(" ORDER BY ").id("timestamp").a(" DESC, id DESC LIMIT " + limit);
        if (byRow) q.a(") ORDER BY ").id("timestamp").a(" DESC, id DESC");
        List<Map<String, Object>> events = EventRows.objects(a.run(q));
        EventRows.attachProperties(a, events, catalog, keyed ? ids : null, owned);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", ids.get(0));
        out.put("ids", ids);
        out.put("events", events);
        if (events.size() == limit) {
            Map<String, Object> lastEvent = events.get(events.size() - 1);
            out.put("next", lastEvent.get("timestamp") + "|" + lastEvent.get("id"));
        }
        return out;
    }

    /** {@code AND} the rows older than the cursor {@code before} (a page's {@code next}: time|id), when given. */
    static void before(Sql q, String before) {
        if (before == null) return;
        int bar = before.indexOf('|');
        Instant t;
        try {
            t = OffsetDateTime.parse(bar < 0 ? before : before.substring(0, bar))
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw new BadRequest("before", "not a cursor from a page's next");
        }
        String lastId = bar < 0 ? "" : before.substring(bar + 1);
        q.a(" AND (")
                .id("timestamp")
                .a(" < ")
                .time(t)
                .a(" OR (")
                .id("timestamp")
                .a(" = ")
                .time(t)
                .a(" AND id < ")
                .v(lastId)
                .a("))");
    }

    /** People whose id or a trait value contains {@code text} (case-insensitive), most recently seen first. */
    Map<String, Object> search(String text, int limit) {
        Sql q = a.sql();
        if (q.clickhouse()) {
            q.a("SELECT user_id, t, l FROM (SELECT user_id, argMax(traits, version) AS t, argMax(last_seen, version)"
                    + " AS l FROM users GROUP BY user_id) AS u WHERE ");
        } else {
            q.a("SELECT user_id, CAST(traits AS VARCHAR) AS t, last_seen AS l FROM users AS u WHERE ");
        }
        q.bound(q.containsIgnoreCase("user_id"), text);
        q.a(" OR ");
        q.bound(q.containsIgnoreCase(q.clickhouse() ? "t" : "CAST(traits AS VARCHAR)"), text);
        q.a(" ORDER BY l DESC, user_id LIMIT " + limit);
        List<Map<String, Object>> people = new ArrayList<>();
        for (List<Object> r : a.rows(q)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.get(0));
            try {
                m.put(
                        "traits",
                        r.get(1) == null
                                ? Map.of()
                                : EventJson.MAPPER.readTree(r.get(1).toString()));
            } catch (java.io.IOException e) {
                m.put("traits", r.get(1));
            }
            m.put("last_seen", r.get(2));
            people.add(m);
        }
        return Map.of("people", people);
    }
}
