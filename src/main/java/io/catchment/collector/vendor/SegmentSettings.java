package io.catchment.collector.vendor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project settings Segment's CDN serves to analytics.js ({@code GET /v1/projects/:writeKey/settings}), reduced
 * to what a project sending only to Catchment has: the Segment.io destination (where events go), an empty tracking
 * plan that lets everything through, no device-mode destinations or remote plugins, SDK metrics off (their sample
 * rate 0, so the SDK never posts to Segment's own metrics host), and batched delivery, which flushes with keepalive
 * requests when the page unloads, so that an event tracked while the visitor leaves is still delivered.
 */
final class SegmentSettings {
    private SegmentSettings() {}

    /**
     * @param writeKey the project's write key
     * @param apiBase  where events go, with scheme: {@code https://events.example.com/v1}
     */
    static Map<String, Object> of(String writeKey, String apiBase) {
        int colon = apiBase.indexOf("://");
        String protocol = apiBase.substring(0, colon);
        String apiHost = apiBase.substring(colon + 3);
        Map<String, Object> segmentIo = new LinkedHashMap<>();
        segmentIo.put("apiKey", writeKey);
        segmentIo.put("apiHost", apiHost);
        segmentIo.put("protocol", protocol);
        segmentIo.put("unbundledIntegrations", List.of());
        segmentIo.put("addBundledMetadata", true);
        segmentIo.put("maybeBundledConfigIds", Map.of());
        // batches of up to 10 events or 1 s, sent at once with a keepalive fetch when the page unloads (pagehide), so
        // an event tracked as the visitor leaves still arrives: the one strategy of analytics-next that does that
        segmentIo.put(
                "deliveryStrategy", Map.of("strategy", "batching", "config", Map.of("size", 10, "timeout", 1000)));
        Map<String, Object> all = Map.of("__default", Map.of("enabled", true, "integrations", Map.of()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("integrations", Map.of("Segment.io", segmentIo));
        s.put("plan", Map.of("track", all, "identify", all, "group", all));
        s.put("edgeFunction", Map.of());
        s.put("analyticsNextEnabled", true);
        s.put("middlewareSettings", Map.of());
        s.put("enabledMiddleware", Map.of());
        s.put("metrics", Map.of("sampleRate", 0));
        s.put("legacyVideoPluginsEnabled", false);
        s.put("remotePlugins", List.of());
        return s;
    }
}
