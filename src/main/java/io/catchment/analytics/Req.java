package io.catchment.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A JSON request read field by field, each value knowing its path ({@code series[1].filters[0].value}), so that every
 * refusal names the field it is about. Unknown fields are refused too: a misspelt {@code "interval"} must not silently
 * become the default.
 */
final class Req {
    private final JsonNode node;
    private final String path;

    private Req(JsonNode node, String path) {
        this.node = node == null ? MissingNode.getInstance() : node;
        this.path = path;
    }

    static Req root(JsonNode node) {
        if (node == null || !node.isObject()) throw new BadRequest("", "the body must be a JSON object");
        return new Req(node, "");
    }

    String path() {
        return path;
    }

    JsonNode node() {
        return node;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    BadRequest bad(String message) {
        return new BadRequest(path, message);
    }

    BadRequest bad(String key, String message) {
        return new BadRequest(child(key), message);
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    Req get(String key) {
        return new Req(node.get(key), child(key));
    }

    /** Refuses any field not in {@code allowed}. */
    Req only(Set<String> allowed) {
        if (!node.isObject()) throw bad("must be an object");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k))
                throw bad(
                        k,
                        "unknown field (this object takes " + String.join(", ", new java.util.TreeSet<>(allowed))
                                + ")");
        }
        return this;
    }

    String text(String key, String dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual() || v.textValue().isEmpty()) throw bad(key, "must be a non-empty string");
        return v.textValue();
    }

    String text(String key) {
        String v = text(key, null);
        if (v == null) throw bad(key, "is required");
        return v;
    }

    /** A lower-case word out of {@code choices}. */
    String choice(String key, String dflt, Set<String> choices) {
        String v = text(key, dflt);
        if (v == null) return null;
        String w = v.toLowerCase(Locale.ROOT);
        if (!choices.contains(w))
            throw bad(key, "'" + v + "' is not one of " + String.join(", ", new java.util.TreeSet<>(choices)));
        return w;
    }

    int integer(String key, int dflt, int min, int max) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < min || v.intValue() > max)
            throw bad(key, "must be a whole number from " + min + " to " + max);
        return v.intValue();
    }

    boolean bool(String key, boolean dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw bad(key, "must be true or false");
        return v.booleanValue();
    }

    /** The elements of an array field (empty when absent); each must be an object unless {@code scalars}. */
    List<Req> list(String key, int max) {
        JsonNode v = node.get(key);
        List<Req> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw bad(key, "must be an array");
        if (v.size() > max) throw bad(key, "has " + v.size() + " elements; at most " + max);
        for (int i = 0; i < v.size(); i++) out.add(new Req(v.get(i), child(key) + "[" + i + "]"));
        return out;
    }
}
