package io.catchment.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.catchment.config.Layout;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The table layouts, applied to canonical event JSON as stored in the log (see {@link EventJson}). In the
 * {@link Layout#SINGLE single} layout every event is one row of {@code events} with everything flattened into it. In the
 * default per-event layout every
 * event gives one row to {@code events} (envelope, {@code group_id}, {@code previous_id} and {@code context_*}) and one
 * row to the table of its kind, holding the envelope plus {@code properties_*} and {@code traits_*}: track → the
 * table named after the event ({@link Names#table}); identify → {@code identifies}; page → {@code pages}; screen →
 * {@code screens}; group → {@code groups} (with {@code group_id}); alias → {@code aliases} (with
 * {@code previous_id}). Reads the JSON in one streaming pass. Not thread-safe (it caches names): one per loader.
 */
public final class Router {
    public static final String EVENTS = "events";

    /**
     * One row bound for one table; {@code eventId} names the event (dedup key, and in schema-change records),
     * {@code timestamp} is its event time as canonical ISO-8601 text, {@code user} its user_id (else anonymous_id) and
     * {@code traits} its traits object as written, when it has one.
     */
    public record Row(String table, List<Field> fields, String eventId, String timestamp, String user, Span traits) {}

    /** Where a JSON value sits in the bytes an event was read from. */
    public record Span(byte[] buf, int off, int len) {}

    /** How a source's events are laid out in tables. */
    private final Flattener flattener = new Flattener();

    private final Layout layout;
    private final java.util.Map<String, Layout> bySource;
    private final List<Row> links = new ArrayList<>(2);

    /** The per-event layout for every source. */
    public Router() {
        this(Layout.PER_EVENT, java.util.Map.of());
    }

    /** {@code layout} for every source, except those named in {@code bySource}. */
    public Router(Layout layout, java.util.Map<String, Layout> bySource) {
        this.layout = layout;
        this.bySource = java.util.Map.copyOf(bySource);
    }

    /**
     * The {@link IdentityLinks#TABLE} rows of the event routed last (most events have none): kept apart from the rows
     * {@code route} appends, whose first is the {@code events} row and whose last is the event's own table.
     */
    public List<Row> links() {
        return links;
    }

    /** Routes one canonical event, appending its two rows to {@code out}. */
    public void route(byte[] buf, int off, int len, List<Row> out) throws IOException {
        try (JsonParser p = EventJson.MAPPER.getFactory().createParser(buf, off, len)) {
            route(p, buf, off, out);
        }
    }

    /**
     * Routes the next canonical event of {@code p}, a parser started at {@code off} of {@code buf} (one per run of
     * events: {@link io.catchment.event.JsonRun}), leaving the parser on its closing brace.
     */
    public void route(JsonParser p, byte[] buf, int off, List<Row> out) throws IOException {
        links.clear();
        List<Field> envelope = new ArrayList<>(12);
        List<Field> own = new ArrayList<>(32);
        List<Field> context = new ArrayList<>(24);
        String id = null, type = "track", event = null, groupId = null, previousId = null, timestamp = null;
        String source = null, userId = null, anonymousId = null;
        Span traits = null;
        if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("canonical event is not an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken t = p.nextToken();
            switch (k) {
                case "properties" -> flattener.flatten(p, buf, off, "properties", own);
                case "traits" -> {
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    flattener.flatten(p, buf, off, "traits", own);
                    traits =
                            new Span(buf, off + start, (int) p.currentLocation().getByteOffset() - start);
                }
                case "context" -> flattener.flatten(p, buf, off, "context", context);
                case "timestamp", "sent_at", "received_at" -> {
                    // canonical times are already ISO-8601 UTC (Instant.toString): the text is the value
                    String text = p.getText();
                    envelope.add(new Field(k, ColumnType.TIMESTAMP, new Field.TimeValue(text, null)));
                    if (k.equals("timestamp")) timestamp = text;
                }
                case "group_id" -> groupId = p.getText();
                case "previous_id" -> previousId = p.getText();
                default -> {
                    if (t.isStructStart()) {
                        p.skipChildren();
                        continue;
                    }
                    String v = p.getText();
                    envelope.add(new Field(k, ColumnType.VARCHAR, v));
                    if (k.equals("id")) id = v;
                    if (k.equals("type")) type = v;
                    if (k.equals("event")) event = v;
                    if (k.equals("source")) source = v;
                    if (k.equals("user_id")) userId = v;
                    if (k.equals("anonymous_id")) anonymousId = v;
                }
            }
        }
        String user = userId != null ? userId : anonymousId;
        if (user != null) envelope.add(new Field(PersonKey.COLUMN, ColumnType.BIGINT, PersonKey.of(user)));
        IdentityLinks.of(id, timestamp, source, type, event, userId, anonymousId, previousId, own, links);
        boolean single = (source == null ? layout : bySource.getOrDefault(source, layout)) == Layout.SINGLE;
        List<Field> all = new ArrayList<>(envelope.size() + context.size() + 2 + (single ? own.size() : 0));
        all.addAll(envelope);
        if (groupId != null) all.add(new Field("group_id", ColumnType.VARCHAR, groupId));
        if (previousId != null) all.add(new Field("previous_id", ColumnType.VARCHAR, previousId));
        all.addAll(context);
        if (single) {
            all.addAll(own);
            out.add(new Row(EVENTS, all, id, timestamp, user, traits));
            return;
        }
        out.add(new Row(EVENTS, all, id, timestamp, user, traits));

        String table = switch (type) {
            case "identify" -> "identifies";
            case "group" -> "groups";
            case "alias" -> "aliases";
            case "page" -> "pages";
            case "screen" -> "screens";
            default -> Names.table(event);
        };
        List<Field> mine = new ArrayList<>(envelope.size() + 1 + own.size());
        mine.addAll(envelope);
        if (type.equals("group") && groupId != null) mine.add(new Field("group_id", ColumnType.VARCHAR, groupId));
        if (type.equals("alias") && previousId != null)
            mine.add(new Field("previous_id", ColumnType.VARCHAR, previousId));
        mine.addAll(own);
        out.add(new Row(table, mine, id, timestamp, user, traits));
    }
}
