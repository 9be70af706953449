package io.catchment.analytics;

import io.catchment.schema.IdentityLinks;
import io.catchment.schema.PersonKey;
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

    /** Whether the store keeps person keys ({@link PersonKey}): then people are counted and found by integers. */
    static boolean keyed(Map<String, TableSchema> catalog) {
        TableSchema events = catalog.get("events");
        return events != null && events.columns().containsKey(PersonKey.COLUMN);
    }

    /**
     * The expression of a row's person before merging, as {@code _pkey} wants it: its person key when the store has
     * them and {@code named} is false, else its user id, else its anonymous id.
     */
    static String pkey(Map<String, TableSchema> catalog, boolean named) {
        return !named && keyed(catalog) ? PersonKey.COLUMN : "coalesce(user_id, anonymous_id)";
    }

    /**
     * Like {@link #map(Sql, Map)}, reading only the links for which {@code where} (given the statement and the link
     * table's column holding the linked id; the person it links to is {@code user_id}) appends a true condition: a
     * lookup of a few ids need not read them all.
     */
    static void map(Sql s, Map<String, TableSchema> catalog, BiConsumer<Sql, String> where) {
        if (catalog.containsKey(IdentityLinks.TABLE)) {
            s.a("SELECT _alias, " + s.argMin("_p", "_at") + " AS _mp FROM (SELECT alias AS _alias, person AS _p, ")
                    .id("timestamp")
                    .a(" AS _at, person AS user_id FROM " + IdentityLinks.TABLE + ") AS links");
            if (where != null) {
                s.a(" WHERE ");
                where.accept(s, "_alias");
            }
            s.a(" GROUP BY _alias");
            return;
        }
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
        persons(s, inner, columns, merge, catalog, false);
    }

    /**
     * Like {@link #persons(Sql, Sql, String, boolean, Map)}; {@code named} when {@code inner}'s {@code _pkey} is
     * {@link #pkey pkey(catalog, true)} (ids as text, for lists of people), else {@code pkey(catalog, false)}.
     */
    static void persons(
            Sql s, Sql inner, String columns, boolean merge, Map<String, TableSchema> catalog, boolean named) {
        if (!merge || (keyed(catalog) && !catalog.containsKey(IdentityLinks.TABLE))) {
            // no links were ever loaded: everyone is who their events say
            s.a("SELECT _pkey AS _person, " + columns + " FROM (").a(inner).a(") AS e");
            return;
        }
        if (!named && keyed(catalog)) {
            s.a("SELECT coalesce(nullif(_mp, 0), _pkey) AS _person, " + columns + " FROM (")
                    .a(inner)
                    .a(") AS e");
            s.a(s.join(true)).a("(SELECT alias_key AS _alias, " + s.argMin(PersonKey.COLUMN, "_at") + " AS _mp FROM ");
            s.a("(SELECT alias_key, " + PersonKey.COLUMN + ", ")
                    .id("timestamp")
                    .a(" AS _at FROM " + IdentityLinks.TABLE);
            s.a(") AS l GROUP BY alias_key) AS m ON m._alias = e._pkey");
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
