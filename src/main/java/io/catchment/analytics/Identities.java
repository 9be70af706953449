package io.catchment.analytics;

import io.catchment.schema.TableSchema;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Who is who: every id a person used before they were identified maps to the user id they became, so their events
 * before and after login count once. The map is read from the events themselves, at query time, from every place the
 * sources record such a link:
 * <ul>
 *   <li>an event carrying both an anonymous id and a user id (Segment after identify, Amplitude's device and user id,
 *       Mixpanel's {@code $device_id} with {@code $user_id});
 *   <li>alias events: {@code previous_id} → user id (Segment alias, PostHog {@code $create_alias});
 *   <li>PostHog's {@code $identify} ({@code $anon_distinct_id}) and {@code $merge_dangerously} ({@code alias}),
 *       Mixpanel's {@code $identify} ({@code $anon_id}).
 * </ul>
 * An id linked to several users belongs to the first it was linked to. Links are followed one step (an anonymous id
 * → a user id), which covers login; chains of merges between user ids are not followed. A person is then
 * {@code map(user_id or anonymous_id)}, else that id itself.
 */
final class Identities {
    private Identities() {}

    /** Appends a subquery of {@code (_alias, _mp)}: each linked id and the person it belongs to. */
    static void map(Sql s, Map<String, TableSchema> catalog) {
        map(s, catalog, null);
    }

    /**
     * Like {@link #map(Sql, Map)}, reading only the links for which {@code where} (given the statement and the link
     * table's column holding the linked id) appends a true condition: a lookup of a few ids need not read them all.
     */
    static void map(Sql s, Map<String, TableSchema> catalog, BiConsumer<Sql, String> where) {
        s.a("SELECT _alias, " + s.argMin("_p", "_at") + " AS _mp FROM (");
        s.a("SELECT anonymous_id AS _alias, user_id AS _p, ")
                .id("timestamp")
                .a(" AS _at FROM events")
                .a(" WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL AND user_id <> anonymous_id");
        if (where != null) {
            s.a(" AND ");
            where.accept(s, "anonymous_id");
        }
        TableSchema events = catalog.get("events");
        if (events != null && events.columns().containsKey("previous_id")) {
            link(s, "events", "previous_id", "type = 'alias'", where);
        }
        link(s, catalog, "identifies", "properties_anon_distinct_id", where);
        link(s, catalog, "merge_dangerously", "properties_alias", where);
        link(s, catalog, "identify", "properties_anon_id", where);
        s.a(") AS links WHERE _alias <> '' GROUP BY _alias");
    }

    private static void link(
            Sql s, Map<String, TableSchema> catalog, String table, String column, BiConsumer<Sql, String> where) {
        TableSchema t = catalog.get(table);
        if (t != null && t.columns().containsKey(column)) link(s, table, column, null, where);
    }

    private static void link(Sql s, String table, String column, String condition, BiConsumer<Sql, String> where) {
        s.a(" UNION ALL SELECT ")
                .id(column)
                .a(" AS _alias, user_id AS _p, ")
                .id("timestamp")
                .a(" AS _at FROM ")
                .id(table)
                .a(" WHERE user_id IS NOT NULL AND ")
                .id(column)
                .a(" IS NOT NULL AND user_id <> ")
                .id(column);
        if (condition != null) s.a(" AND " + condition);
        if (where != null) {
            s.a(" AND ");
            where.accept(s, column);
        }
    }

    /**
     * Appends rows of {@code inner} (which has {@code _pkey}: user id, else anonymous id) with {@code _person} added:
     * merged through the map when {@code merge}, else {@code _pkey} itself. {@code columns} are the inner columns to
     * keep.
     */
    static void persons(Sql s, Sql inner, String columns, boolean merge, Map<String, TableSchema> catalog) {
        if (!merge) {
            s.a("SELECT _pkey AS _person, " + columns + " FROM (").a(inner).a(") AS e");
            return;
        }
        s.a("SELECT coalesce(nullif(_mp, ''), _pkey) AS _person, " + columns + " FROM (")
                .a(inner)
                .a(") AS e");
        s.a(s.join(true)).a("(");
        map(s, catalog);
        s.a(") AS m ON m._alias = e._pkey");
    }
}
