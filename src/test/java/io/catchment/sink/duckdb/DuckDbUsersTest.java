package io.catchment.sink.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import io.catchment.sink.UserTraits;
import io.catchment.sink.UserUpdate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The users merge rule: set vs set_once vs unset, by event time, and idempotent. */
class DuckDbUsersTest {
    Connection conn;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    private void merge(List<UserUpdate> updates) throws Exception {
        DuckDbUsers.merge(conn, updates, dir.resolve("users.csv"));
    }

    @BeforeEach
    void open() throws Exception {
        conn = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = conn.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("CREATE TABLE users (user_id VARCHAR PRIMARY KEY, traits JSON, trait_times JSON, "
                    + "first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, updated_at TIMESTAMPTZ)");
        }
    }

    @AfterEach
    void close() throws Exception {
        conn.close();
    }

    private static UserUpdate u(String time, String traits) throws Exception {
        return new UserUpdate("u1", time, (ObjectNode) EventJson.MAPPER.readTree(traits));
    }

    private JsonNode traits() throws Exception {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT traits FROM users WHERE user_id = 'u1'")) {
            rs.next();
            return EventJson.MAPPER.readTree(rs.getString(1));
        }
    }

    @Test
    void set_overwrites_set_once_only_fills_gaps_unset_removes() throws Exception {
        merge(List.of(u("2024-01-01T00:00:00Z", "{\"plan\":\"free\",\"$set_once\":{\"first\":\"a\"}}")));
        merge(List.of(u("2024-01-02T00:00:00Z", "{\"plan\":\"pro\",\"$set_once\":{\"first\":\"b\",\"src\":\"ad\"}}")));
        assertThat(traits().toString()).isEqualTo("{\"plan\":\"pro\",\"first\":\"a\",\"src\":\"ad\"}");
        merge(List.of(u("2024-01-03T00:00:00Z", "{\"$unset\":[\"src\"]}")));
        assertThat(traits().has("src")).isFalse();
        merge(List.of(u("2024-01-04T00:00:00Z", "{\"$set_once\":{\"src\":\"email\"}}")));
        assertThat(traits().get("src").asText()).isEqualTo("email");
    }

    @Test
    void dollar_named_traits_are_traits_and_operations_are_not_applied() throws Exception {
        // mixpanel-browser's people.set({$email, plan}) plus its automatic $os; $add is an operation users does not
        // apply
        merge(List.of(u(
                "2024-01-01T00:00:00Z",
                "{\"$email\":\"ana@example.com\",\"plan\":\"pro\",\"$os\":\"Linux\"," + "\"$add\":{\"logins\":1}}")));
        assertThat(traits().toString())
                .isEqualTo("{\"$email\":\"ana@example.com\",\"plan\":\"pro\",\"$os\":\"Linux\"}");
    }

    @Test
    void a_late_event_does_not_undo_a_later_change_and_replays_change_nothing() throws Exception {
        merge(List.of(u("2024-01-05T00:00:00Z", "{\"plan\":\"pro\"}")));
        merge(List.of(u("2024-01-01T00:00:00Z", "{\"plan\":\"free\",\"$unset\":[\"plan\"],\"name\":\"Ann\"}")));
        assertThat(traits().toString()).isEqualTo("{\"plan\":\"pro\",\"name\":\"Ann\"}");
        JsonNode before = traits();
        merge(List.of(
                u("2024-01-05T00:00:00Z", "{\"plan\":\"pro\"}"),
                u("2024-01-01T00:00:00Z", "{\"plan\":\"free\",\"$unset\":[\"plan\"],\"name\":\"Ann\"}")));
        assertThat(traits()).isEqualTo(before);
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT first_seen::VARCHAR, last_seen::VARCHAR FROM users")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("2024-01-01 00:00:00");
            assertThat(rs.getString(2)).startsWith("2024-01-05 00:00:00");
        }
    }

    @Test
    void within_one_batch_updates_apply_in_event_time_order() throws Exception {
        merge(List.of(
                u("2024-02-02T00:00:00Z", "{\"plan\":\"team\"}"), u("2024-02-01T00:00:00Z", "{\"plan\":\"pro\"}")));
        assertThat(traits().get("plan").asText()).isEqualTo("team");
    }

    @Test
    void times_are_normalised_to_nine_fraction_digits_whatever_their_form() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        var fixed = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        for (int i = 0; i < 10_000; i++) {
            long nanos =
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000) / (int) Math.pow(10, random.nextInt(9));
            java.time.Instant t = java.time.Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L), nanos);
            assertThat(UserTraits.normal(t.toString())).isEqualTo(fixed.format(t));
        }
        assertThat(UserTraits.normal("2024-05-01T10:00:00.5+02:00")).isEqualTo("2024-05-01T08:00:00.500000000Z");
        assertThat(UserTraits.normal("2024-05-01T10:00:00.123Z")).isEqualTo("2024-05-01T10:00:00.123000000Z");
    }
}
