package io.catchment.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.config.Layout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router();

    private List<Router.Row> route(String json) throws Exception {
        byte[] b = ("garbage-before" + json).getBytes(StandardCharsets.UTF_8);
        List<Router.Row> rows = new ArrayList<>();
        router.route(b, 14, b.length - 14, rows);
        return rows;
    }

    private static Map<String, Field> byName(Router.Row row) {
        Map<String, Field> m = new LinkedHashMap<>();
        row.fields().forEach(f -> m.put(f.name(), f));
        return m;
    }

    @Test
    void strings_are_kept_as_their_bytes_unless_escaped_or_shaped_like_a_time() throws Exception {
        Map<String, Field> own = byName(route("{\"id\":\"e1\",\"event\":\"E\",\"timestamp\":\"2024-05-01T10:00:00Z\","
                        + "\"properties\":{\"plain\":\"abc\",\"empty\":\"\",\"uni\":\"é € 😀\",\"esc\":\"a\\\"b\\\\c\\n\","
                        + "\"uesc\":\"\\u00e9\",\"time\":\"2024-05-01 10:00:00\",\"almost\":\"2024-05-01 10:00:xx\"}}")
                .get(1));
        assertThat(own.get("properties_plain").value())
                .isInstanceOf(Field.RawText.class)
                .hasToString("abc");
        assertThat(own.get("properties_empty").value())
                .isInstanceOf(Field.RawText.class)
                .hasToString("");
        assertThat(own.get("properties_uni").value())
                .isInstanceOf(Field.RawText.class)
                .hasToString("é € 😀");
        assertThat(own.get("properties_esc").value()).isEqualTo("a\"b\\c\n");
        assertThat(own.get("properties_uesc").value()).isEqualTo("é");
        assertThat(own.get("properties_time").type()).isEqualTo(ColumnType.TIMESTAMP);
        assertThat(own.get("properties_almost").type()).isEqualTo(ColumnType.VARCHAR);
        assertThat(own.get("properties_almost").value()).isEqualTo("2024-05-01 10:00:xx");
    }

    @Test
    void a_track_event_gives_an_events_row_and_a_row_in_its_own_table() throws Exception {
        List<Router.Row> rows = route(
                "{\"id\":\"e1\",\"type\":\"track\",\"event\":\"Order Completed\",\"user_id\":\"u1\","
                        + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"received_at\":\"2024-05-01T10:00:01Z\",\"source\":\"web\","
                        + "\"properties\":{\"revenue\":20.5,\"qty\":2,\"member\":true,\"coupon\":{\"code\":\"X\",\"deep\":{\"er\":1}},"
                        + "\"tags\":[\"a\",{\"b\":[1,2]}],\"empty\":{},\"nothing\":null,\"when\":\"2024-05-01 10:00:00.123456\","
                        + "\"huge\":123456789012345678901234567890},\"context\":{\"ip\":\"1.2.3.4\",\"page\":{\"url\":\"https://x\"}}}");
        assertThat(rows).extracting(Router.Row::table).containsExactly("events", "order_completed");
        Map<String, Field> events = byName(rows.get(0));
        assertThat(events)
                .containsKeys(
                        "id",
                        "type",
                        "event",
                        "user_id",
                        "timestamp",
                        "received_at",
                        "source",
                        "context_ip",
                        "context_page_url")
                .doesNotContainKey("properties_revenue");
        Map<String, Field> own = byName(rows.get(1));
        assertThat(own).doesNotContainKey("context_ip");
        assertThat(own.get("properties_revenue").value()).isEqualTo(20.5);
        assertThat(own.get("properties_revenue").type()).isEqualTo(ColumnType.DOUBLE);
        assertThat(own.get("properties_qty").value()).isEqualTo(2L);
        assertThat(own.get("properties_member").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(own.get("properties_coupon_code").value())
                .isInstanceOf(Field.RawText.class)
                .hasToString("X");
        assertThat(own.get("properties_coupon_deep_er").value()).isEqualTo(1L);
        assertThat(own.get("properties_tags").value().toString()).isEqualTo("[\"a\",{\"b\":[1,2]}]");
        assertThat(own.get("properties_tags").type()).isEqualTo(ColumnType.JSON);
        assertThat(own.get("properties_empty").value().toString()).isEqualTo("{}");
        assertThat(own).doesNotContainKey("properties_nothing");
        assertThat(own.get("properties_when").type()).isEqualTo(ColumnType.TIMESTAMP);
        assertThat(((Field.TimeValue) own.get("properties_when").value()).iso())
                .isEqualTo("2024-05-01T10:00:00.123456Z");
        assertThat(own.get("properties_huge").type()).isEqualTo(ColumnType.VARCHAR);
        assertThat(own.get("properties_huge").value()).isEqualTo("123456789012345678901234567890");
    }

    @Test
    void the_single_layout_puts_everything_in_one_events_row_and_sources_can_choose() throws Exception {
        Router mixed = new Router(Layout.PER_EVENT, Map.of("mobile", Layout.SINGLE));
        String event = "{\"id\":\"1\",\"type\":\"track\",\"event\":\"Tap\",\"source\":\"%s\","
                + "\"properties\":{\"x\":1},\"context\":{\"os\":\"ios\"}}";
        List<Router.Row> rows = new ArrayList<>();
        byte[] mobile = String.format(event, "mobile").getBytes(StandardCharsets.UTF_8);
        mixed.route(mobile, 0, mobile.length, rows);
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.table()).isEqualTo("events");
            assertThat(byName(r)).containsKeys("properties_x", "context_os", "event");
        });
        rows.clear();
        byte[] web = String.format(event, "web").getBytes(StandardCharsets.UTF_8);
        mixed.route(web, 0, web.length, rows);
        assertThat(rows).extracting(Router.Row::table).containsExactly("events", "tap");
        rows.clear();
        new Router(Layout.SINGLE, Map.of()).route(web, 0, web.length, rows);
        assertThat(rows).hasSize(1);
        assertThat(Layout.parse("per-event")).isEqualTo(Layout.PER_EVENT);
    }

    @Test
    void non_track_types_land_in_their_tables() throws Exception {
        assertThat(route("{\"id\":\"1\",\"type\":\"identify\",\"traits\":{\"email\":\"a@b\"}}")
                        .get(1)
                        .table())
                .isEqualTo("identifies");
        assertThat(route("{\"id\":\"1\",\"type\":\"page\",\"event\":\"Home\"}")
                        .get(1)
                        .table())
                .isEqualTo("pages");
        assertThat(route("{\"id\":\"1\",\"type\":\"screen\"}").get(1).table()).isEqualTo("screens");
        Router.Row group = route("{\"id\":\"1\",\"type\":\"group\",\"group_id\":\"g1\",\"traits\":{\"n\":1}}")
                .get(1);
        assertThat(group.table()).isEqualTo("groups");
        assertThat(byName(group)).containsKeys("group_id", "traits_n");
        Router.Row alias = route("{\"id\":\"1\",\"type\":\"alias\",\"previous_id\":\"old\"}")
                .get(1);
        assertThat(alias.table()).isEqualTo("aliases");
        assertThat(byName(alias).get("previous_id").value()).isEqualTo("old");
    }

    @Test
    void table_names_are_sanitised_and_never_collide_with_layout_tables() {
        assertThat(Names.table("Order Completed")).isEqualTo("order_completed");
        assertThat(Names.table("  Sign-Up!! (v2) ")).isEqualTo("sign_up_v2");
        assertThat(Names.table("events")).isEqualTo("track_events");
        assertThat(Names.table("Identifies")).isEqualTo("track_identifies");
        assertThat(Names.table("404 page")).isEqualTo("track_404_page");
        assertThat(Names.table("___")).isEqualTo("unnamed_event");
        assertThat(Names.table("😀")).isEqualTo("unnamed_event");
        String longName = "x".repeat(200);
        assertThat(Names.table(longName)).hasSize(Names.MAX_LENGTH).isEqualTo(Names.table(longName));
        assertThat(Names.table(longName + "a")).isNotEqualTo(Names.table(longName + "b"));
    }

    @Test
    void sanitising_is_stable_and_yields_only_safe_identifiers() {
        Random r = new Random(42);
        String alphabet = "aB9_ -.$/ü😀Z";
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(80);
            for (int j = 0; j < n; j++)
                b.appendCodePoint(alphabet.codePointAt(
                        alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            String col = Names.column("properties_" + Names.sanitize(b.toString()));
            assertThat(col).matches("[a-z_][a-z0-9_]*").hasSizeLessThanOrEqualTo(Names.MAX_LENGTH);
            assertThat(Names.column("properties_" + Names.sanitize(b.toString())))
                    .isEqualTo(col);
        }
    }

    @Test
    void keys_that_sanitise_alike_get_distinct_stable_columns() throws Exception {
        Router.Row row = route(
                        "{\"id\":\"1\",\"type\":\"identify\",\"traits\":{\"plan\":\"a\",\"Plan\":\"b\",\"PLAN\":\"c\"}}")
                .get(1);
        List<String> names = new ArrayList<>();
        Set<String> assigned = new HashSet<>();
        for (Field f : row.fields()) {
            if (!f.name().startsWith("traits_")) continue;
            String name = assigned.contains(f.name()) ? f.collisionName() : f.name();
            assigned.add(name);
            names.add(name);
        }
        assertThat(names).doesNotHaveDuplicates().hasSize(3).contains("traits_plan");
        assertThat(names.get(1)).matches("traits_plan__[0-9a-f]{6}");
    }

    @Test
    void keys_without_letters_or_digits_never_make_a_double_underscore() throws Exception {
        Router.Row row = route(
                        "{\"id\":\"1\",\"type\":\"track\",\"event\":\"e\",\"properties\":{\"a\":{\"!\":{\"string\":5}},\"\":1}}")
                .get(1);
        assertThat(row.fields())
                .extracting(Field::name)
                .filteredOn(n -> n.startsWith("properties_"))
                .allSatisfy(n -> assertThat(n).doesNotContain("__"))
                .hasSize(2);
    }

    @Test
    void iso_times_parse_and_look_alikes_do_not() {
        assertThat(Flattener.parseTime("2024-05-01T10:00:00Z")).isNotNull();
        assertThat(Flattener.parseTime("2024-05-01T10:00:00.123+02:00").toString())
                .isEqualTo("2024-05-01T08:00:00.123Z");
        assertThat(Flattener.parseTime("2024-05-01 10:00:00")).isNotNull();
        assertThat(Flattener.parseTime("2024-05-01")).isNull();
        assertThat(Flattener.parseTime("2024-13-01T10:00:00Z")).isNull();
        assertThat(Flattener.parseTime("hello world, it is 2024")).isNull();
        assertThat(Flattener.parseTime("9999-12-31T23:00:00-05:00"))
                .as("past year 9999 in UTC")
                .isNull();
    }
}
