package io.catchment.loader;

import io.catchment.deadletter.DeadLetter;
import io.catchment.sink.RowRefusals;
import io.catchment.sink.WriteBatch;
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
    private final List<Line> lines;
    private final TakeApart describe;
    private final Map<String, DeadLetter> made = new LinkedHashMap<>();

    StoreRefusals(List<Line> lines, TakeApart describe) {
        this.lines = lines;
        this.describe = describe;
    }

    @Override
    public DeadLetter deadLetter(String eventId, String table, String reason) {
        DeadLetter d = made.get(eventId);
        if (d != null) return d;
        int i = TakeApart.indexOf(lines, eventId);
        if (i < 0) return null;
        d = describe.deadLetter(lines.get(i), new TakeApart.Refusal(reason, table, eventId));
        made.put(eventId, d);
        return d;
    }

    /** The dead letters the store set aside from {@code batch} while writing it (0 for a batch without refusals). */
    static int count(WriteBatch batch) {
        return batch.refusals() instanceof StoreRefusals r ? r.made.size() : 0;
    }
}
