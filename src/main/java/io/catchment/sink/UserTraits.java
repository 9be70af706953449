package io.catchment.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.format.Identity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The rule that keeps {@code users} (one row per user: latest traits as JSON) in step with user-property operations,
 * the same for every store (each store reads the rows, applies this, writes them back in the batch's transaction). The
 * merge rule, per trait, by event time (so late and replayed events do no harm):
 * <ul>
 *   <li>set: takes the value unless the trait was last changed by a later event;
 *   <li>set_once: takes the value only when the user has no value for the trait (never set, or unset since); of
 *       several, the earliest by event time;
 *   <li>unset: removes the trait unless it was last changed by a later event.
 * </ul>
 * {@code trait_times} records, per trait, the time of the event that last changed it (and, under {@code $set_once},
 * a set_once waiting behind a set, so an unset that arrives late can uncover it). The result does not depend on the
 * order the events arrive in (at-least-once, out-of-order logs such as SQS), but for one case described below. Other operations ($add,
 * $append…) are stored with the event but not applied here. Applying the same event twice changes nothing.
 */
public final class UserTraits {
    private UserTraits() {}

    /** One user's stored state: traits, the time each trait last changed, first and last seen (ISO-8601). */
    public static final class Row {
        public ObjectNode traits = EventJson.MAPPER.createObjectNode();
        public ObjectNode times = EventJson.MAPPER.createObjectNode();
        public String firstSeen;
        public String lastSeen;
    }

    /** Applies {@code updates} in event-time order to {@code rows} (the stored rows of their users), adding new users. */
    public static void applyAll(Map<String, Row> rows, List<UserUpdate> updates) {
        List<UserUpdate> ordered = new ArrayList<>(updates.size());
        for (UserUpdate u : updates)
            ordered.add(new UserUpdate(u.user(), normal(u.timestamp()), u.traits(), u.eventId()));
        ordered.sort(Comparator.comparing(UserUpdate::timestamp));
        for (UserUpdate u : ordered) apply(rows.computeIfAbsent(u.user(), k -> new Row()), u);
    }

    /**
     * Merges {@code other}, another stored row of the same user, into {@code into}, as if the events that made
     * {@code other} had been applied to {@code into}: per trait, its latest set or unset and its waiting set_once are
     * applied again; first and last seen take the min and max. Joining a row into itself, or joining the same row
     * twice, changes nothing; the order rows are joined in does not matter (but for the case described above).
     */
    public static void join(Row into, Row other) {
        if (other.firstSeen != null && (into.firstSeen == null || before(other.firstSeen, into.firstSeen)))
            into.firstSeen = other.firstSeen;
        if (other.lastSeen != null && (into.lastSeen == null || before(into.lastSeen, other.lastSeen)))
            into.lastSeen = other.lastSeen;
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        other.traits.fieldNames().forEachRemaining(names::add);
        other.times.fieldNames().forEachRemaining(names::add);
        names.remove(Identity.SET_ONCE);
        other.times.path(Identity.SET_ONCE).fieldNames().forEachRemaining(names::add);
        for (String k : names) {
            Trait theirs = new Trait(other, k);
            Trait mine = new Trait(into, k);
            if (theirs.sTime != null) mine.change(theirs.sIsSet ? theirs.sValue : null, theirs.sTime);
            else if (theirs.sIsSet && mine.sTime == null && !mine.sIsSet) { // a value stored without its time
                mine.sIsSet = true;
                mine.sValue = theirs.sValue;
            }
            if (theirs.oTime != null) mine.setOnce(theirs.oValue, theirs.oTime);
            mine.store(into, k);
        }
    }

    /** Whether two rows hold the same traits, trait times, first and last seen. */
    public static boolean same(Row a, Row b) {
        return a.traits.equals(b.traits)
                && a.times.equals(b.times)
                && java.util.Objects.equals(a.firstSeen, b.firstSeen)
                && java.util.Objects.equals(a.lastSeen, b.lastSeen);
    }

    /** A stored row, read back: traits and trait times as JSON text, first and last seen as ISO-8601. */
    public static Row row(String traits, String times, String firstSeen, String lastSeen) {
        Row r = new Row();
        r.traits = object(traits);
        r.times = object(times);
        r.firstSeen = firstSeen == null ? null : normal(firstSeen);
        r.lastSeen = lastSeen == null ? null : normal(lastSeen);
        return r;
    }

    private static ObjectNode object(String json) {
        try {
            return json != null && EventJson.MAPPER.readTree(json) instanceof ObjectNode o
                    ? o
                    : EventJson.MAPPER.createObjectNode();
        } catch (IOException e) {
            return EventJson.MAPPER.createObjectNode();
        }
    }

    private static final java.time.format.DateTimeFormatter FIXED = java.time.format.DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    /** A time as fixed-width ISO-8601 UTC (nine fraction digits), so that times compare as strings. */
    public static String normal(String iso) {
        // the canonical form (Instant.toString: YYYY-MM-DDTHH:MM:SS[.fff…]Z) only needs its fraction padded
        int n = iso.length();
        if (n >= 20
                && n <= 30
                && iso.charAt(4) == '-'
                && iso.charAt(10) == 'T'
                && iso.charAt(n - 1) == 'Z'
                && (n == 20 || iso.charAt(19) == '.' && n > 21 && digits(iso, 20, n - 1))) {
            StringBuilder b = new StringBuilder(30).append(iso, 0, 19).append('.');
            if (n > 20) b.append(iso, 20, n - 1);
            while (b.length() < 29) b.append('0');
            return b.append('Z').toString();
        }
        Instant t = io.catchment.schema.Flattener.parseTime(iso);
        return FIXED.format(t != null ? t : Instant.parse(iso));
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static boolean before(String a, String b) {
        return a.compareTo(b) < 0;
    }

    public static void apply(Row row, UserUpdate u) {
        String t = u.timestamp();
        if (row.firstSeen == null || before(t, row.firstSeen)) row.firstSeen = t;
        if (row.lastSeen == null || before(row.lastSeen, t)) row.lastSeen = t;
        for (Map.Entry<String, JsonNode> f : u.traits().properties()) {
            String k = f.getKey();
            if (k.equals(Identity.SET_ONCE)) {
                if (!(f.getValue() instanceof ObjectNode once)) continue;
                for (Map.Entry<String, JsonNode> o : once.properties()) setOnce(row, o.getKey(), o.getValue(), t);
            } else if (k.equals(Identity.UNSET)) {
                for (JsonNode name : f.getValue()) unset(row, name.asText(), t);
            } else if (!Identity.isOperation(k)) {
                set(row, k, f.getValue(), t);
            }
        }
    }

    /*
     * Per trait, the state is S, the latest set or unset by event time, and O, the earliest set_once later than S: the
     * value is S's when S is a set, else O's. trait_times[k] is the time of the event whose value (or unset) stands;
     * while there is an O, trait_times.$set_once[k] holds it: {at, value, after: S's time or null, set: whether S is a
     * set}. Equal times settle the same way in any order: a set or unset beats a set_once, a set beats an unset, the
     * greater value (as JSON text) the other set, the smaller the other set_once. Not exact in one case: two set_once
     * and an unset between them that arrives after both (the later set_once was not kept).
     */
    private static final class Trait {
        String sTime;
        boolean sIsSet;
        JsonNode sValue;
        String oTime;
        JsonNode oValue;

        Trait(Row row, String k) {
            JsonNode once = row.times.path(Identity.SET_ONCE).get(k);
            if (once != null) {
                sTime = once.path("after").isTextual() ? once.get("after").asText() : null;
                sIsSet = once.path("set").asBoolean(false);
                sValue = sIsSet ? row.traits.get(k) : null;
                oTime = once.path("at").asText();
                oValue = once.get("value");
            } else {
                sTime = row.times.path(k).asText(null);
                sIsSet = row.traits.has(k);
                sValue = row.traits.get(k);
            }
        }

        /** A set ({@code v} non-null) or an unset at {@code t}. */
        void change(JsonNode v, String t) {
            boolean wins = sTime == null
                    || before(sTime, t)
                    || t.equals(sTime) && v != null && (!sIsSet || v.toString().compareTo(sValue.toString()) > 0);
            if (!wins) return;
            sTime = t;
            sIsSet = v != null;
            sValue = v;
            if (oTime != null && !before(t, oTime)) oTime = null;
        }

        void setOnce(JsonNode v, String t) {
            if (sTime != null && !before(sTime, t)) return;
            if (oTime == null
                    || before(t, oTime)
                    || t.equals(oTime) && v.toString().compareTo(oValue.toString()) < 0) {
                oTime = t;
                oValue = v;
            }
        }

        void store(Row row, String k) {
            JsonNode value = sIsSet ? sValue : oTime != null ? oValue : null;
            String time = sIsSet || oTime == null ? sTime : oTime;
            if (value != null) row.traits.set(k, value);
            else row.traits.remove(k);
            if (time != null) row.times.put(k, time);
            JsonNode all = row.times.get(Identity.SET_ONCE);
            if (oTime != null) {
                ObjectNode o = (all instanceof ObjectNode a ? a : row.times.putObject(Identity.SET_ONCE)).putObject(k);
                o.put("at", oTime).set("value", oValue);
                o.put("after", sTime).put("set", sIsSet);
            } else if (all instanceof ObjectNode a) {
                a.remove(k);
                if (a.isEmpty()) row.times.remove(Identity.SET_ONCE);
            }
        }
    }

    private static void set(Row row, String k, JsonNode v, String t) {
        Trait s = new Trait(row, k);
        s.change(v, t);
        s.store(row, k);
    }

    private static void unset(Row row, String k, String t) {
        Trait s = new Trait(row, k);
        s.change(null, t);
        s.store(row, k);
    }

    private static void setOnce(Row row, String k, JsonNode v, String t) {
        Trait s = new Trait(row, k);
        s.setOnce(v, t);
        s.store(row, k);
    }
}
