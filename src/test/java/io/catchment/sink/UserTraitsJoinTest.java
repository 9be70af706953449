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
 * {@link UserTraits#join}, which two loading processes that raced on a user rely on (issue 23): whichever way a
 * user's updates were split between two rows, joining the rows gives the row all the updates give, in either order;
 * joining a row into itself changes nothing.
 */
class UserTraitsJoinTest {
    private static UserUpdate update(String time, String json) throws Exception {
        return new UserUpdate("u1", time, (ObjectNode) EventJson.MAPPER.readTree(json));
    }

    private static UserTraits.Row rowOf(List<UserUpdate> base, List<UserUpdate> more) {
        Map<String, UserTraits.Row> rows = new HashMap<>();
        UserTraits.applyAll(rows, base);
        UserTraits.applyAll(rows, more);
        return rows.getOrDefault("u1", new UserTraits.Row());
    }

    private static UserTraits.Row copy(UserTraits.Row r) {
        return UserTraits.row(r.traits.toString(), r.times.toString(), r.firstSeen, r.lastSeen);
    }

    private static String show(UserTraits.Row r) {
        return r.traits + " " + r.times + " " + r.firstSeen + " " + r.lastSeen;
    }

    /** Every split of {@code later} between two rows that both start from {@code base}. */
    private static void everySplitJoinsToTheWhole(List<UserUpdate> base, List<UserUpdate> later) {
        List<UserUpdate> all = new ArrayList<>(base);
        all.addAll(later);
        UserTraits.Row whole = rowOf(all, List.of());
        for (int mask = 0; mask < 1 << later.size(); mask++) {
            List<UserUpdate> a = new ArrayList<>();
            List<UserUpdate> b = new ArrayList<>();
            for (int i = 0; i < later.size(); i++) ((mask & 1 << i) != 0 ? a : b).add(later.get(i));
            UserTraits.Row ab = copy(rowOf(base, a));
            UserTraits.join(ab, rowOf(base, b));
            UserTraits.Row ba = copy(rowOf(base, b));
            UserTraits.join(ba, rowOf(base, a));
            assertThat(UserTraits.same(ab, whole))
                    .as("a then b, split %s: %s", mask, show(ab))
                    .isTrue();
            assertThat(UserTraits.same(ba, whole))
                    .as("b then a, split %s: %s", mask, show(ba))
                    .isTrue();
            UserTraits.Row again = copy(ab);
            UserTraits.join(again, ab);
            assertThat(UserTraits.same(again, ab))
                    .as("joined into itself, split %s", mask)
                    .isTrue();
        }
    }

    @Test
    void sets_and_unsets_split_between_two_rows_join_to_the_latest_by_event_time() throws Exception {
        everySplitJoinsToTheWhole(
                List.of(update("2024-01-01T00:00:00Z", "{\"plan\":\"trial\",\"email\":\"a@x\"}")),
                List.of(
                        update("2024-01-01T00:00:01Z", "{\"plan\":\"free\",\"email\":\"b@x\"}"),
                        update("2024-01-01T00:00:02Z", "{\"plan\":\"pro\"}"),
                        update("2024-01-01T00:00:03Z", "{\"$unset\":[\"email\"]}"),
                        update("2024-01-01T00:00:04Z", "{\"plan\":\"enterprise\"}")));
    }

    @Test
    void set_once_split_between_two_rows_joins_to_the_earliest_after_the_latest_set_or_unset() throws Exception {
        everySplitJoinsToTheWhole(
                List.of(),
                List.of(
                        update("2024-01-01T00:00:00Z", "{\"source\":\"sales\",\"tier\":\"gold\"}"),
                        update("2024-01-01T00:00:01Z", "{\"$unset\":[\"source\"]}"),
                        update("2024-01-01T00:00:02Z", "{\"$set_once\":{\"source\":\"ads\",\"tier\":\"silver\"}}"),
                        update("2024-01-01T00:00:03Z", "{\"$set_once\":{\"source\":\"seo\"}}"),
                        update("2024-01-01T00:00:04Z", "{\"$unset\":[\"tier\"]}")));
    }

    @Test
    void two_sets_at_the_same_instant_in_two_rows_join_to_one_value_either_way() throws Exception {
        everySplitJoinsToTheWhole(
                List.of(),
                List.of(
                        update("2024-01-01T00:00:01Z", "{\"plan\":\"free\"}"),
                        update("2024-01-01T00:00:01Z", "{\"plan\":\"pro\"}")));
    }
}
