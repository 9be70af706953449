package io.catchment.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * The load generator's events as each vendor's SDK would send them, so {@code loadgen --format} measures the vendor
 * endpoints on the same events as the native one.
 */
final class VendorBodies {
    /** One request: path, content type, body and the headers that carry the key. */
    record Request(String path, String contentType, byte[] body, Map<String, String> headers) {}

    private VendorBodies() {}

    static Request build(String format, String ndjson, String key) throws IOException {
        if (format.equals("native")) {
            return new Request(
                    "/v1/events",
                    "application/x-ndjson",
                    ndjson.getBytes(StandardCharsets.UTF_8),
                    Map.of("Authorization", "Bearer " + key));
        }
        ArrayNode items = EventJson.MAPPER.createArrayNode();
        for (String line : ndjson.split("\n")) {
            if (line.isBlank()) continue;
            ObjectNode e = (ObjectNode) EventJson.MAPPER.readTree(line);
            items.add(
                    switch (format) {
                        case "segment" -> e;
                        case "amplitude" -> amplitude(e);
                        case "mixpanel" -> mixpanel(e, key);
                        case "posthog" -> posthog(e);
                        default ->
                            throw new IllegalArgumentException(
                                    "unknown format " + format + " (native, segment, amplitude, mixpanel, posthog)");
                    });
        }
        String now = Instant.now().toString();
        return switch (format) {
            case "segment" ->
                json(
                        "/v1/batch",
                        EventJson.MAPPER
                                .createObjectNode()
                                .put("writeKey", key)
                                .put("sentAt", now)
                                .set("batch", items));
            case "amplitude" ->
                json(
                        "/2/httpapi",
                        EventJson.MAPPER.createObjectNode().put("api_key", key).set("events", items));
            case "posthog" ->
                json(
                        "/batch",
                        EventJson.MAPPER
                                .createObjectNode()
                                .put("api_key", key)
                                .put("sent_at", now)
                                .set("batch", items));
            default ->
                new Request(
                        "/track?ip=0",
                        "application/x-www-form-urlencoded",
                        ("data="
                                        + URLEncoder.encode(
                                                Base64.getEncoder()
                                                        .encodeToString(EventJson.MAPPER.writeValueAsBytes(items)),
                                                StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.US_ASCII),
                        Map.of());
        };
    }

    private static Request json(String path, JsonNode body) throws IOException {
        return new Request(path, "application/json", EventJson.MAPPER.writeValueAsBytes(body), Map.of());
    }

    private static long millis(ObjectNode e) {
        return Instant.parse(e.get("timestamp").asText()).toEpochMilli();
    }

    private static ObjectNode amplitude(ObjectNode e) {
        ObjectNode a = EventJson.MAPPER.createObjectNode();
        a.put("event_type", e.get("event").asText());
        a.put("user_id", e.get("userId").asText());
        a.put("insert_id", e.get("messageId").asText());
        a.put("time", millis(e));
        a.set("event_properties", e.get("properties"));
        JsonNode c = e.get("context");
        a.put("ip", c.path("ip").asText());
        a.put(
                "library",
                c.path("library").path("name").asText() + "/"
                        + c.path("library").path("version").asText());
        a.put("language", c.path("locale").asText());
        a.put("platform", "Web");
        return a;
    }

    private static ObjectNode mixpanel(ObjectNode e, String token) {
        ObjectNode p = ((ObjectNode) e.get("properties")).deepCopy();
        p.put("token", token);
        p.put("distinct_id", e.get("userId").asText());
        p.put("time", millis(e));
        p.put("$insert_id", e.get("messageId").asText());
        p.put("ip", e.path("context").path("ip").asText());
        p.put("$current_url", e.path("context").path("page").path("url").asText());
        p.put("mp_lib", "catchment-loadgen");
        ObjectNode m = EventJson.MAPPER.createObjectNode();
        m.put("event", e.get("event").asText());
        m.set("properties", p);
        return m;
    }

    private static ObjectNode posthog(ObjectNode e) {
        ObjectNode p = ((ObjectNode) e.get("properties")).deepCopy();
        p.put("$ip", e.path("context").path("ip").asText());
        p.put("$current_url", e.path("context").path("page").path("url").asText());
        p.put("$lib", "catchment-loadgen");
        ObjectNode m = EventJson.MAPPER.createObjectNode();
        m.put("event", e.get("event").asText());
        m.put("distinct_id", e.get("userId").asText());
        m.put("uuid", e.get("messageId").asText());
        m.put("timestamp", e.get("timestamp").asText());
        m.set("properties", p);
        return m;
    }
}
