package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.deadletter.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TakeApartTest {
    static final Set<String> BAD = Set.of("e17", "e2500", "e2501", "e7777", "e9999");

    static List<Line> lines(int n) {
        StringBuilder b = new StringBuilder();
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int start = b.length();
            b.append("{\"id\":\"e").append(i).append("\",\"type\":\"track\",\"event\":\"E\",\"source\":\"s\"}");
            spans.add(new int[] {start, b.length() - start});
            b.append('\n');
        }
        byte[] buf = b.toString().getBytes(StandardCharsets.UTF_8);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Line(buf, spans.get(i)[0], spans.get(i)[1], i));
        return out;
    }

    /** Refuses any piece holding a bad event; names the first when {@code names}. Counts attempts and written lines. */
    static int run(boolean names, List<DeadLetter> dead, AtomicInteger written) throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        dead.addAll(new TakeApart("log offset")
                .run(
                        lines(10_000),
                        piece -> {
                            attempts.incrementAndGet();
                            for (Line l : piece) {
                                String id = l.text().substring(7, l.text().indexOf('"', 7));
                                if (BAD.contains(id))
                                    return new TakeApart.Refusal(
                                            "Conversion Error: injected", "events", names ? id : null);
                            }
                            written.addAndGet(piece.size());
                            return null;
                        },
                        1000,
                        () -> true));
        return attempts.get();
    }

    @Test
    void an_event_the_store_names_costs_two_writes_and_the_rest_is_written_once() throws Exception {
        List<DeadLetter> dead = new ArrayList<>();
        AtomicInteger written = new AtomicInteger();
        int attempts = run(true, dead, written);
        assertThat(dead).extracting(DeadLetter::eventId).containsExactlyInAnyOrderElementsOf(BAD);
        assertThat(written.get()).isEqualTo(10_000 - BAD.size());
        assertThat(attempts)
                .as("the refused batch, then per bad event: alone, and the rest")
                .isEqualTo(1 + 2 * BAD.size());
        List<DeadLetter> halved = new ArrayList<>();
        AtomicInteger halvedWritten = new AtomicInteger();
        int bisect = run(false, halved, halvedWritten);
        assertThat(halved).hasSize(BAD.size());
        assertThat(halvedWritten.get()).isEqualTo(10_000 - BAD.size());
        assertThat(bisect).as("without a name: halving").isGreaterThan(5 * attempts);
    }

    @Test
    void a_wrong_name_costs_one_write_and_loses_nothing() throws Exception {
        List<DeadLetter> dead = new ArrayList<>();
        AtomicInteger written = new AtomicInteger();
        new TakeApart("log offset")
                .run(
                        lines(100),
                        piece -> {
                            boolean bad = piece.stream().anyMatch(l -> l.text().contains("\"e42\""));
                            if (!bad) {
                                written.addAndGet(piece.size());
                                return null;
                            }
                            return new TakeApart.Refusal("refused", "events", "e7"); // names an innocent event
                        },
                        1000,
                        () -> true);
        assertThat(written.get()).isEqualTo(99);
    }
}
