package io.catchment.sink.clickhouse;

import io.catchment.sink.UserTraits;
import io.catchment.sink.UserUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The {@code users} table in ClickHouse (a ReplacingMergeTree by {@code version}): reads the batch's users with
 * {@code FINAL}, applies {@link UserTraits}' merge rule and inserts their new versions. Called under the sink's lock.
 */
final class ClickHouseUsers {
    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final LongSupplier version;

    ClickHouseUsers(ClickHouse ch, ClickHouseDdl ddl, LongSupplier version) {
        this.ch = ch;
        this.ddl = ddl;
        this.version = version;
    }

    /** Merges trait operations into {@code users} (see {@link UserTraits}): reads the users' rows, writes new versions. */
    void merge(List<UserUpdate> updates) {
        if (updates.isEmpty()) return;
        Map<String, UserTraits.Row> rows = new LinkedHashMap<>();
        List<String> ids = updates.stream().map(UserUpdate::user).distinct().toList();
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            for (String[] r : ch.rows("SELECT user_id, traits, trait_times, first_seen, last_seen FROM "
                    + ddl.q("users") + " FINAL WHERE user_id IN ("
                    + String.join(", ", chunk.stream().map(ClickHouse::literal).toList()) + ")")) {
                rows.put(r[0], UserTraits.row(r[1], r[2], ClickHouse.iso(r[3]), ClickHouse.iso(r[4])));
            }
        }
        UserTraits.applyAll(rows, updates);
        StringBuilder out = new StringBuilder();
        long v = version.getAsLong();
        String now = Instant.now().toString();
        rows.forEach((user, r) -> out.append(
                ClickHouse.line(user, r.traits.toString(), r.times.toString(), r.firstSeen, r.lastSeen, now, v)));
        ch.insert(
                ddl.q("users"),
                List.of("user_id", "traits", "trait_times", "first_seen", "last_seen", "updated_at", "version"),
                o -> o.write(out.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
