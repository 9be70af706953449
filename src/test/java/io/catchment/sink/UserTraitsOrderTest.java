package io.catchment.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What at-least-once, out-of-order delivery (an SQS standard queue; late events on any log) does to {@code users}: the
 * same updates applied one batch at a time in every order, each also delivered twice, must leave the row that
 * event-time order leaves.
 */
class UserTraitsOrderTest {
    private static UserUpdate update(String time, String json) throws Exception {
        return new UserUpdate("u1", time, (ObjectNode) EventJson.MAPPER.readTree(json));
    }

    private static String apply(List<UserUpdate> order) {
        Map<String, UserTraits.Row> rows = new HashMap<>();
        for (UserUpdate u : order) UserTraits.applyAll(rows, List.of(u)); // one batch each, as separate messages
        UserTraits.Row r = rows.get("u1");
        return r.traits.toString() + " first " + r.firstSeen + " last " + r.lastSeen;
    }

    private static void permutations(List<UserUpdate> rest, List<UserUpdate> prefix, List<List<UserUpdate>> out) {
        if (rest.isEmpty()) out.add(prefix);
        for (int i = 0; i < rest.size(); i++) {
            List<UserUpdate> p = new ArrayList<>(prefix);
            p.add(rest.get(i));
            List<UserUpdate> r = new ArrayList<>(rest);
            r.remove(i);
            permutations(r, p, out);
        }
    }

    private static void everyOrderGivesTheEventTimeResult(List<UserUpdate> inEventTimeOrder) {
        String expected = apply(inEventTimeOrder);
        List<List<UserUpdate>> all = new ArrayList<>();
        permutations(inEventTimeOrder, List.of(), all);
        for (List<UserUpdate> order : all) {
            assertThat(apply(order)).as("order %s", order).isEqualTo(expected);
            List<UserUpdate> twice = new ArrayList<>(order);
            twice.addAll(order); // redelivered: every message a second time, after all of them
            assertThat(apply(twice)).as("redelivered %s", order).isEqualTo(expected);
        }
    }

    @Test
    void sets_and_unsets_arriving_in_any_order_leave_the_latest_by_event_time() throws Exception {
        everyOrderGivesTheEventTimeResult(List.of(
                update("2024-01-01T00:00:01Z", "{\"plan\":\"free\",\"email\":\"a@x\"}"),
                update("2024-01-01T00:00:02Z", "{\"plan\":\"pro\"}"),
                update("2024-01-01T00:00:03Z", "{\"$unset\":[\"email\"]}"),
                update("2024-01-01T00:00:04Z", "{\"plan\":\"enterprise\"}")));
    }

    @Test
    void set_once_arriving_out_of_order_keeps_the_earliest_by_event_time() throws Exception {
        everyOrderGivesTheEventTimeResult(List.of(
                update("2024-01-01T00:00:01Z", "{\"$set_once\":{\"source\":\"ads\"}}"),
                update("2024-01-01T00:00:02Z", "{\"$set_once\":{\"source\":\"seo\"}}"),
                update("2024-01-01T00:00:03Z", "{\"$set_once\":{\"source\":\"mail\"},\"plan\":\"pro\"}")));
    }

    @Test
    void a_set_after_a_set_once_wins_in_any_order() throws Exception {
        everyOrderGivesTheEventTimeResult(List.of(
                update("2024-01-01T00:00:01Z", "{\"$set_once\":{\"source\":\"ads\"}}"),
                update("2024-01-01T00:00:02Z", "{\"source\":\"sales\"}"),
                update("2024-01-01T00:00:03Z", "{\"$set_once\":{\"source\":\"seo\"}}")));
    }

    @Test
    void set_once_after_an_unset_stands_and_before_it_is_removed_in_any_order() throws Exception {
        everyOrderGivesTheEventTimeResult(List.of(
                update("2024-01-01T00:00:00Z", "{\"source\":\"sales\",\"tier\":\"gold\"}"),
                update("2024-01-01T00:00:01Z", "{\"$unset\":[\"source\"]}"),
                update("2024-01-01T00:00:02Z", "{\"$set_once\":{\"source\":\"ads\",\"tier\":\"silver\"}}"),
                update("2024-01-01T00:00:03Z", "{\"$set_once\":{\"source\":\"seo\"}}"),
                update("2024-01-01T00:00:04Z", "{\"$unset\":[\"tier\"]}")));
    }

    @Test
    void two_sets_at_the_same_instant_settle_on_one_value_whatever_the_order() throws Exception {
        everyOrderGivesTheEventTimeResult(List.of(
                update("2024-01-01T00:00:01Z", "{\"plan\":\"free\"}"),
                update("2024-01-01T00:00:01Z", "{\"plan\":\"pro\"}")));
    }
}
