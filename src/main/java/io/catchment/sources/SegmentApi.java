package io.catchment.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.event.Event;
import io.catchment.format.InvalidEventException;
import io.catchment.format.SegmentFormat;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Segment's HTTP Tracking API: {@code POST /v1/track|identify|page|screen|group|alias|batch|import}, with or without
 * a trailing slash. The write key is the body's {@code writeKey} or the Basic auth user. 200 {@code {"success":true}}
 * when every message is accepted; 400 names each bad message (none is accepted); 401 for an unknown write key.
 * Limits as Segment's: 32 KB per message, 500 KB per request, 2,500 messages per batch.
 */
public final class SegmentApi {
  static final int MAX_EVENT_BYTES = 32 * 1024;
  static final int MAX_REQUEST_BYTES = 500 * 1024;
  static final int MAX_BATCH = 2500;
  private static final List<String> SINGLE = List.of("track", "identify", "page", "screen", "group", "alias");

  private final Collector collector;
  private final Auth auth;

  public SegmentApi(Collector collector, Auth auth) {
    this.collector = collector;
    this.auth = auth;
  }

  public void routes(Javalin app) {
    for (String type : SINGLE) {
      for (String path : new String[] {"/v1/" + type, "/v1/" + type + "/"}) app.post(path, ctx -> handle(ctx, type));
    }
    for (String path : new String[] {"/v1/batch", "/v1/batch/", "/v1/import", "/v1/import/"}) {
      app.post(path, ctx -> handle(ctx, null));
    }
  }

  private static HttpProblem bad(String message) {
    return new HttpProblem(400, "invalid", Map.of("success", false, "error", message));
  }

  private void handle(Context ctx, String type) throws IOException {
    long start = System.nanoTime();
    byte[] body = Requests.body(ctx, MAX_REQUEST_BYTES, m -> bad("the request is over Segment's limit of "
        + MAX_REQUEST_BYTES + " bytes"));
    JsonNode root = Requests.json(body, SegmentApi::bad);
    if (!(root instanceof ObjectNode o)) throw bad("the body must be a JSON object");
    String key = o.path("writeKey").isTextual() ? o.get("writeKey").textValue() : Auth.headerKey(ctx);
    String source = auth.sourceOf(key);
    if (source == null) {
      throw new HttpProblem(401, "unauthorized", Map.of("success", false, "error", key == null
          ? "missing write key: send writeKey in the body or as the Basic auth user" : "invalid write key"));
    }
    List<ObjectNode> messages = new ArrayList<>();
    ObjectNode batch = null;
    if (type == null) {
      JsonNode items = o.get("batch");
      if (items == null || !items.isArray()) throw bad("a batch request needs a \"batch\" array");
      if (items.size() > MAX_BATCH) throw bad("a batch holds at most " + MAX_BATCH + " messages; got " + items.size());
      for (JsonNode item : items) {
        if (!(item instanceof ObjectNode m)) throw bad("message " + messages.size() + " is not a JSON object");
        messages.add(m);
      }
      batch = o;
    } else {
      messages.add(o);
    }
    collector.received(messages.size());
    if (messages.isEmpty()) throw bad("the batch holds no messages");
    Instant receivedAt = Instant.now();
    List<Event> events = new ArrayList<>(messages.size());
    List<Map<String, Object>> errors = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      ObjectNode m = messages.get(i);
      try {
        int size = m.toString().getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_EVENT_BYTES) {
          throw new InvalidEventException(i, null, "message " + i + " is " + size + " bytes, over Segment's limit of "
              + MAX_EVENT_BYTES);
        }
        events.add(SegmentFormat.toEvent(m, i, type, batch, source, receivedAt));
      } catch (InvalidEventException e) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("index", i);
        if (e.field() != null) err.put("field", e.field());
        err.put("message", e.getMessage());
        errors.add(err);
      }
    }
    if (!errors.isEmpty()) {
      collector.rejected("invalid", messages.size());
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("success", false);
      b.put("error", errors.size() == 1 ? errors.get(0).get("message") : errors.size() + " of " + messages.size()
          + " messages are invalid; none was accepted");
      b.put("errors", errors.subList(0, Math.min(100, errors.size())));
      throw new HttpProblem(400, "invalid", b);
    }
    collector.accept(events, start);
    ctx.contentType("application/json").result("{\"success\":true}");
  }
}
