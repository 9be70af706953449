package io.catchment.loader;

import io.catchment.deadletter.DeadLetter;
import io.catchment.sink.RowRefusals;
import io.catchment.sink.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link RowRefusals} of one prepared batch: finds the refused event's line among the batch's lines and makes its
 * dead letter as {@link TakeApart} makes those of the events it refuses alone (the store's reason, the event's id,
 * name, source, table and place). Remembers what it made, once per event however often the store asks (a write
 * retried after a transient failure asks again), so that the writer can count the dead letters. Used by the thread
 * that writes the batch.
 */
final class StoreRefusals implements RowRefusals {
    private static final byte[] ID = "{\"id\":\"".getBytes(StandardCharsets.UTF_8);
    private final List<Line> lines;
    private final TakeApart describe;
    private final Map<String, DeadLetter> made = new LinkedHashMap<>();
    /** Line index by event id, built on the first refusal: one pass, however many events are refused. */
    private Map<String, Integer> index;

    StoreRefusals(List<Line> lines, TakeApart describe) {
        this.lines = lines;
        this.describe = describe;
    }

    @Override
    public DeadLetter deadLetter(String eventId, String table, String reason) {
        DeadLetter d = made.get(eventId);
        if (d != null) return d;
        if (index == null) index = index(lines);
        Integer i = index.get(eventId);
        if (i == null) i = TakeApart.indexOf(lines, eventId); // an id with escapes in its JSON
        if (i < 0) return null;
        d = describe.deadLetter(lines.get(i), new TakeApart.Refusal(reason, table, eventId));
        made.put(eventId, d);
        return d;
    }

    /** Each line's event id (canonical lines begin {@code {"id":"...}), where it holds no escape. */
    private static Map<String, Integer> index(List<Line> lines) {
        Map<String, Integer> out = new HashMap<>(lines.size() * 2);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            int start = l.off() + ID.length;
            if (l.len() < ID.length || !Arrays.equals(l.buf(), l.off(), start, ID, 0, ID.length)) continue;
            for (int p = start; p < l.off() + l.len(); p++) {
                byte b = l.buf()[p];
                if (b == '\\') break;
                if (b == '"') {
                    out.putIfAbsent(new String(l.buf(), start, p - start, StandardCharsets.UTF_8), i);
                    break;
                }
            }
        }
        return out;
    }

    /** The dead letters the store set aside from {@code batch} while writing it (0 for a batch without refusals). */
    static int count(WriteBatch batch) {
        return batch.refusals() instanceof StoreRefusals r ? r.made.size() : 0;
    }
}
