package io.catchment.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Who became whom: each time an event says that an id (an anonymous id, a previous id) belongs to a user, the loader
 * writes a row of {@code identity_links} ({@code alias} → {@code person}, with both ids' {@link PersonKey}s, the
 * event's id, time and source). The analytics read this small table instead of scanning every event for links; an
 * alias linked to several users belongs to the first by event time. The links come from:
 * <ul>
 *   <li>an event carrying both an anonymous id and a user id (Segment after identify, Amplitude's device and user id,
 *       Mixpanel's {@code $device_id} with {@code $user_id});
 *   <li>an alias event: {@code previous_id} → user id (Segment alias, PostHog {@code $create_alias});
 *   <li>PostHog's {@code $identify} ({@code $anon_distinct_id}) and {@code $merge_dangerously} ({@code alias}),
 *       Mixpanel's {@code $identify} ({@code $anon_id}).
 * </ul>
 * A link's row carries its event's id, so the duplicate check drops it with its event.
 */
public final class IdentityLinks {
    public static final String TABLE = "identity_links";

    /** Where the vendors name the id an identify or merge event links: table, column (as flattened). */
    public record Source(String table, String column) {}

    public static final List<Source> PROPERTY_SOURCES = List.of(
            new Source("identifies", "properties_anon_distinct_id"),
            new Source("merge_dangerously", "properties_alias"),
            new Source("identify", "properties_anon_id"));

    private IdentityLinks() {}

    /** Appends the links an event makes to {@code out}. */
    static void of(
            String id,
            String timestamp,
            String source,
            String type,
            String event,
            String userId,
            String anonymousId,
            String previousId,
            List<Field> own,
            List<Router.Row> out) {
        if (userId == null || id == null || timestamp == null) return;
        add(id, timestamp, source, anonymousId, userId, out);
        if (type.equals("alias")) add(id, timestamp, source, previousId, userId, out);
        for (Field f : own) {
            for (Source s : PROPERTY_SOURCES) {
                if (f.name().equals(s.column())
                        && f.type() == ColumnType.VARCHAR
                        && s.table().equals(type.equals("identify") ? "identifies" : Names.table(event))) {
                    add(id, timestamp, source, f.value().toString(), userId, out);
                }
            }
        }
    }

    private static void add(
            String id, String timestamp, String source, String alias, String person, List<Router.Row> out) {
        if (alias == null || alias.isEmpty() || alias.equals(person)) return;
        for (Router.Row r : out) {
            for (Field f : r.fields()) if (f.name().equals("alias") && alias.equals(f.value())) return; // twice
        }
        List<Field> f = new ArrayList<>(7);
        f.add(new Field("id", ColumnType.VARCHAR, id));
        f.add(new Field("timestamp", ColumnType.TIMESTAMP, new Field.TimeValue(timestamp, null)));
        if (source != null) f.add(new Field("source", ColumnType.VARCHAR, source));
        f.add(new Field("alias", ColumnType.VARCHAR, alias));
        f.add(new Field("person", ColumnType.VARCHAR, person));
        f.add(new Field("alias_key", ColumnType.BIGINT, PersonKey.of(alias)));
        f.add(new Field(PersonKey.COLUMN, ColumnType.BIGINT, PersonKey.of(person)));
        out.add(new Router.Row(TABLE, f, id, timestamp, null, null));
    }
}
