package io.catchment.loader;

import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Writes the events of a batch the store refused in ever smaller pieces: halves, then quarters, down to single events;
 * an event the store still refuses alone becomes a {@link DeadLetter} whose reason is the store's own message plus
 * what we know of the event (id, name, source, table, log offset or import line). When the store's message names
 * the event (DuckDB's CSV reader quotes the refused row), one bad event costs two extra writes; otherwise about
 * 2·log2(n) among n. Every good event is written once. The one copy of this rule, for the live loader and the
 * import. Not thread-safe: run it on the thread that owns the batch preparer.
 */
final class TakeApart {
    /**
     * Why the store refused a piece: its message, the tables the piece was going to, and the id of the event the
     * store's message names, when it names one (null otherwise).
     */
    record Refusal(String message, String tables, String culpritId) {}

    /** Prepares and writes one piece; null when it was written, else why it was refused for good. */
    @FunctionalInterface
    interface Attempt {
        Refusal write(List<Line> piece) throws IOException, InterruptedException;
    }

    /** Thrown when more events than {@code maxDead} are refused one by one: the store is broken, not the events. */
    static final class TooManyRefused extends Exception {
        TooManyRefused(int n, Refusal last) {
            super("over " + n + " events of one batch refused one by one: taking the store for broken (last: "
                    + last.message() + ")");
        }
    }

    private final String position; // "log offset" or "line"

    /** {@code position} names what a line's offset is: {@code "log offset"} (live) or {@code "line"} (import). */
    TakeApart(String position) {
        this.position = position;
    }

    /** Writes {@code lines} piece by piece; returns the dead letters of the events refused alone. */
    List<DeadLetter> run(List<Line> lines, Attempt attempt, int maxDead, java.util.function.BooleanSupplier running)
            throws IOException, InterruptedException, TooManyRefused {
        List<DeadLetter> dead = new ArrayList<>();
        Deque<List<Line>> work = new ArrayDeque<>();
        work.push(lines);
        while (!work.isEmpty() && running.getAsBoolean()) {
            List<Line> piece = work.pop();
            Refusal refused = attempt.write(piece);
            if (refused == null) continue;
            int named = piece.size() > 1 ? indexOf(piece, refused.culpritId()) : -1;
            if (named >= 0) {
                // the store named the event: it is written alone (refused again: a dead letter; written: it was not the
                // one, and nothing is lost), and the rest goes in one piece, so one bad event costs two extra writes
                List<Line> rest = new ArrayList<>(piece);
                Line culprit = rest.remove(named);
                work.push(rest);
                work.push(List.of(culprit));
            } else if (piece.size() > 1) {
                work.push(piece.subList(piece.size() / 2, piece.size()));
                work.push(piece.subList(0, piece.size() / 2));
            } else if (dead.size() < maxDead) {
                dead.add(deadLetter(piece.get(0), refused));
            } else {
                throw new TooManyRefused(maxDead, refused);
            }
        }
        return dead;
    }

    /** The index of the line of event {@code id} in {@code piece}, or -1 (also when {@code id} is null). */
    static int indexOf(List<Line> piece, String id) {
        if (id == null) return -1;
        byte[] prefix = ("{\"id\":\"" + id + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < piece.size(); i++) {
            Line l = piece.get(i);
            if (l.len() >= prefix.length
                    && java.util.Arrays.equals(l.buf(), l.off(), l.off() + prefix.length, prefix, 0, prefix.length)) {
                return i;
            }
        }
        return -1;
    }

    /** The dead letter of one refused event: the store's message, and the event's id, name, source and place. */
    DeadLetter deadLetter(Line line, Refusal refused) {
        String text = line.text();
        String id = null;
        String name = null;
        String source = null;
        try {
            JsonNode n = EventJson.MAPPER.readTree(text);
            id = n.path("id").textValue();
            name = n.path("event").textValue();
            source = n.path("source").textValue();
        } catch (IOException | RuntimeException e) {
            // the log holds what the collector wrote; a line that does not parse is described by its place alone
        }
        StringBuilder reason = new StringBuilder("the store refused the event: ")
                .append(refused.message())
                .append(" [event id ")
                .append(id)
                .append(", event ")
                .append(name == null ? "-" : '"' + name + '"')
                .append(", source ")
                .append(source)
                .append(", table ")
                .append(refused.tables())
                .append(", ")
                .append(position)
                .append(' ')
                .append(line.offset())
                .append(']');
        return new DeadLetter(id, refused.tables(), reason.toString(), text, line.offset());
    }
}
