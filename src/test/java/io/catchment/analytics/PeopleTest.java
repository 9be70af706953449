package io.catchment.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.log.local.LocalLog;
import io.catchment.sink.duckdb.DuckDbSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person's ids read by the links' integer keys in one statement ({@link People#ids}) are the ids read by their text
 * the way the reports merge them ({@link People#idsByText}): for every id of a tangle of links where anonymous ids are
 * linked to several users (the first link wins), users are linked to other users (followed one step), and ids are
 * asked for by their alias as well as by their person.
 */
class PeopleTest {
    @TempDir
    Path dir;

    @Test
    void the_ids_by_key_are_the_ids_by_text() throws Exception {
        Random random = new Random(7);
        List<String> asked = new ArrayList<>();
        try (LocalLog log = new LocalLog(dir.resolve("log"), 1 << 24, 1 << 30, Duration.ZERO);
                DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
            for (int i = 0; i < 600; i++) {
                String user = "u" + random.nextInt(25);
                // mostly anonymous ids, some other users' ids (a merge of two users)
                String alias = random.nextInt(5) == 0 ? "u" + random.nextInt(25) : "anon-" + random.nextInt(60);
                b.write(("{\"id\":\"e" + i + "\",\"event\":\"Viewed\",\"user_id\":\"" + user
                                + "\",\"anonymous_id\":\"" + alias + "\",\"timestamp\":\""
                                + t0.plusSeconds(random.nextInt(1_000_000)) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
                asked.add(user);
                asked.add(alias);
            }
            asked.add("nobody");
            Fixture.load(log, store, b.toString(StandardCharsets.UTF_8), 1);
            Analytics a = Fixture.analytics(store);
            People people = new People(a);
            var catalog = a.catalog();
            assertThat(Identities.keyed(catalog)).isTrue();
            int merged = 0;
            for (String id : asked.stream().distinct().toList()) {
                List<String> byKey = people.ids(id, catalog);
                assertThat(byKey).as(id).isEqualTo(people.idsByText(id, catalog));
                if (byKey.size() > 1) merged++;
            }
            assertThat(merged).as("ids with others merged into their person").isGreaterThan(50);
        }
    }
}
