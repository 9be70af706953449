package io.catchment.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import java.util.Map;

/**
 * The canonical form of user-property operations, shared by every source. An event's {@code traits} hold the values
 * to <b>set</b>; two reserved keys carry the other operations: {@code $set_once} (an object of values to set only
 * when the user has none yet) and {@code $unset} (an array of trait names to remove). Any other vendor operation
 * ({@code $add}, {@code $append}, {@code $union}…) is kept under its own {@code $name} key, so it is stored with the
 * event, though the {@code users} table does not apply it (see docs/sources.md).
 */
public final class Identity {
    public static final String SET_ONCE = "$set_once";
    public static final String UNSET = "$unset";
    /** The vendors' profile operations: keys of traits that are not trait names ({@code $email} is a name). */
    private static final java.util.Set<String> OPERATIONS = java.util.Set.of(
            "$set",
            "$setOnce",
            SET_ONCE,
            UNSET,
            "$add",
            "$append",
            "$prepend",
            "$union",
            "$remove",
            "$delete",
            "$preInsert",
            "$postInsert",
            "$clearAll");

    /** Whether a traits key is an operation ({@code $add}…) rather than a trait ({@code plan}, Mixpanel's {@code $email}). */
    public static boolean isOperation(String key) {
        return OPERATIONS.contains(key);
    }

    private Identity() {}

    /**
     * Builds canonical traits from a vendor's operations object ({@code {"$set":{…}, "$setOnce":{…}, "$unset":…}});
     * plain keys (no {@code $}) are sets, as Amplitude and Segment mean them. Returns null when there is nothing.
     */
    public static ObjectNode fromOperations(JsonNode ops) {
        if (!(ops instanceof ObjectNode o) || o.isEmpty()) return null;
        ObjectNode traits = EventJson.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String k = e.getKey();
            switch (k) {
                case "$set" -> set(traits, e.getValue());
                case "$setOnce", "$set_once" -> setOnce(traits, e.getValue());
                case "$unset" -> unset(traits, e.getValue());
                default -> traits.set(k, e.getValue());
            }
        }
        return traits.isEmpty() ? null : traits;
    }

    /** Adds {@code values} (an object) to the traits to set. */
    public static void set(ObjectNode traits, JsonNode values) {
        if (values instanceof ObjectNode v) v.properties().forEach(e -> traits.set(e.getKey(), e.getValue()));
    }

    public static void setOnce(ObjectNode traits, JsonNode values) {
        if (!(values instanceof ObjectNode v) || v.isEmpty()) return;
        ObjectNode once = traits.has(SET_ONCE) && traits.get(SET_ONCE).isObject()
                ? (ObjectNode) traits.get(SET_ONCE)
                : traits.putObject(SET_ONCE);
        v.properties().forEach(e -> once.set(e.getKey(), e.getValue()));
    }

    /** Accepts an array of names, an object whose keys are the names (Amplitude), or one name. */
    public static void unset(ObjectNode traits, JsonNode names) {
        if (names == null || names.isNull()) return;
        ArrayNode list = traits.has(UNSET) && traits.get(UNSET).isArray()
                ? (ArrayNode) traits.get(UNSET)
                : traits.putArray(UNSET);
        if (names.isArray()) {
            names.forEach(n -> list.add(n.asText()));
        } else if (names.isObject()) {
            names.fieldNames().forEachRemaining(list::add);
        } else {
            list.add(names.asText());
        }
        if (list.isEmpty()) traits.remove(UNSET);
    }
}
