package io.catchment.sink.clickhouse;

import io.catchment.sink.UserTraits;
import io.catchment.sink.UserUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code users} table in ClickHouse (a ReplacingMergeTree by {@code version}): reads the batch's users with
 * {@code FINAL}, applies {@link UserTraits}' merge rule and inserts their new versions. Called under the sink's lock,
 * which serialises one process's batches, not two processes'.
 *
 * <p>Two processes (two loaders over SQS; over Kafka, when one user's events reach two partitions) that read the same
 * version of a user and each insert their next one would leave only the higher standing, the other's updates lost.
 * So every row inserted into {@code users} is also inserted into {@link #WRITES}, a plain MergeTree kept for
 * {@link #WRITES_DAYS} days, whose merges drop nothing; and after inserting, {@link #merge} reads back from it every
 * row of the batch's users written in the last {@link #SKEW} with a version above the one it read: its own, and any
 * another process inserted meanwhile. It joins them into its own ({@link UserTraits#join}); where the highest version is not that join, it
 * inserts the join with a version above all it saw, and looks again, at most {@link #ROUNDS} times (then logs a
 * warning and carries on: failing the batch would only retry it into the same race).
 *
 * <p>Why this converges: the join is idempotent and order-free, so a row that holds another's updates keeps them
 * whatever else is joined in, and every row a process inserts holds its batch and all it saw. Of two racing inserts,
 * the one read back later is read back after both, so its process sees the other's row and, unless the winner already
 * holds both, writes one that does. A round whose winner holds everything writes nothing; another round is needed only
 * when yet another insert landed meanwhile. Reading back {@code users} itself would not do: a background merge can
 * drop the losing row in the instant between the winner's insert and its read back (seen in ClickHouseUsersRaceIT).
 * Without a race the cost is one more insert (the same rows) and one read (the batch's users' new rows: its own,
 * compared as text).
 *
 * <p>Versions come from the wall clock ({@link ClickHouse#versions}): comparable across processes only as far as
 * their clocks agree, and two processes can make the same one. So a new version is also above every version read, and
 * rows are compared by content, not by who wrote them: an equal version (ReplacingMergeTree keeps the last inserted)
 * just looks like a lost race. Not covered: loading processes whose clocks differ by more than {@link #SKEW} (the read
 * back may miss the other's rows), and a read from a replica the insert has not reached yet.
 */
final class ClickHouseUsers {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseUsers.class);
    /** Rounds of reading back and rewriting before giving up (each needs another process to have written again). */
    static final int ROUNDS = 5;
    /** Every row written to {@code users} in the last days, never merged away: what is read back. */
    static final String WRITES = "_users_writes";
    /** Days of {@link #WRITES} kept (today and yesterday): the read back looks back {@link #SKEW}, even at midnight. */
    static final int WRITES_DAYS = 2;
    /**
     * How far back, by {@code updated_at} (the writer's clock), the read back looks before this process read the
     * users: the loading processes' clocks must agree within it.
     */
    static final java.time.Duration SKEW = java.time.Duration.ofMinutes(1);

    private final ClickHouse ch;
    private final ClickHouseDdl ddl;
    private final LongSupplier version;
    /** Digits of a second first_seen and last_seen keep: 3 in DateTime64(3), 0 in the older servers' DateTime. */
    private final int fraction;
    /** When {@link #WRITES}' old days were last dropped (nanoTime), or 0. */
    private long pruned;

    ClickHouseUsers(ClickHouse ch, ClickHouseDdl ddl, LongSupplier version) {
        this.ch = ch;
        this.ddl = ddl;
        this.version = version;
        this.fraction = ch.modern() ? 3 : 0;
    }

    /** A user's row as read (its cells: user_id, traits, trait_times, first_seen, last_seen), with its version. */
    private record Stored(String[] cells, long version) {
        UserTraits.Row row() {
            return UserTraits.row(cells[1], cells[2], ClickHouse.iso(cells[3]), ClickHouse.iso(cells[4]));
        }

        /** Whether this is the row {@code r} as written with {@code version}: compared as text, nothing parsed. */
        boolean is(UserTraits.Row r, String traits, String times, long version) {
            return this.version == version
                    && cells[1].equals(traits)
                    && cells[2].equals(times)
                    && java.util.Objects.equals(
                            r.firstSeen, cells[3] == null ? null : UserTraits.normal(ClickHouse.iso(cells[3])))
                    && java.util.Objects.equals(
                            r.lastSeen, cells[4] == null ? null : UserTraits.normal(ClickHouse.iso(cells[4])));
        }
    }

    /** What {@link #insert} last wrote of a user: traits and trait times as text, and the version. */
    private record Sent(String traits, String times, long version) {}

    /** Merges trait operations into {@code users} (see {@link UserTraits}): reads the users' rows, writes new versions. */
    void merge(List<UserUpdate> updates) {
        if (updates.isEmpty()) return;
        prune();
        String since = Instant.now()
                .minus(SKEW)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString()
                .replace('T', ' ')
                .replace("Z", "");
        List<String> ids = updates.stream().map(UserUpdate::user).distinct().toList();
        Map<String, Long> known = new LinkedHashMap<>();
        Map<String, UserTraits.Row> mine = latest(ids, known);
        UserTraits.applyAll(mine, updates);
        mine.values().forEach(this::truncate);
        long above = known.values().stream().mapToLong(Long::longValue).max().orElse(0);
        Map<String, UserTraits.Row> pending = mine;
        Map<String, Sent> sent = new java.util.HashMap<>();
        for (int round = 0; ; round++) {
            above = insert(pending, above, sent);
            Map<String, Long> again = lacking(List.copyOf(pending.keySet()), known, since, mine, sent);
            if (again.isEmpty()) return;
            if (round == ROUNDS) {
                LOG.warn(
                        "users: {} of the batch's users were still being rewritten by other processes after {}"
                                + " rounds; their rows may lack this batch's traits: {}",
                        again.size(),
                        ROUNDS,
                        again.keySet());
                return;
            }
            LOG.debug(
                    "users: {} of the batch's users lost a race with another process; writing them again",
                    again.size());
            pending = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : again.entrySet()) {
                pending.put(e.getKey(), mine.get(e.getKey()));
                above = Math.max(above, e.getValue());
            }
        }
    }

    /** The users' rows as {@code FINAL} reads them, noting each one's version in {@code known}. */
    private Map<String, UserTraits.Row> latest(List<String> ids, Map<String, Long> known) {
        Map<String, UserTraits.Row> out = new LinkedHashMap<>();
        read(ids, null, null).forEach((user, rows) -> {
            // one row a user (one a shard, on a cluster's Distributed table: the newest stands)
            Stored last = rows.stream()
                    .max(java.util.Comparator.comparingLong(Stored::version))
                    .orElseThrow();
            known.put(user, last.version());
            out.put(user, last.row());
        });
        return out;
    }

    /**
     * Reads back the rows of {@code ids} written since {@code since} and newer than {@code known} (the versions
     * {@link #merge} read; none for a new user), joins them into {@code mine}, and returns the users whose highest
     * version is not that join, each with the highest version seen (the join is left in {@code mine}). The common
     * case, a user's one newer row being the one {@code sent}, is settled comparing text, without parsing.
     */
    private Map<String, Long> lacking(
            List<String> ids,
            Map<String, Long> known,
            String since,
            Map<String, UserTraits.Row> mine,
            Map<String, Sent> sent) {
        Map<String, List<Stored>> newer = read(ids, known, since);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String user : ids) {
            List<Stored> rows = newer.getOrDefault(user, List.of());
            Sent ours = sent.get(user);
            if (rows.size() == 1 && rows.get(0).is(mine.get(user), ours.traits(), ours.times(), ours.version()))
                continue;
            // through text and back, as the rows read back were, so that equal rows compare equal
            UserTraits.Row target = copy(mine.get(user));
            List<UserTraits.Row> parsed = rows.stream().map(Stored::row).toList();
            for (UserTraits.Row r : parsed) UserTraits.join(target, r);
            long top = rows.stream().mapToLong(Stored::version).max().orElse(0);
            boolean won = !rows.isEmpty();
            for (int i = 0; i < rows.size(); i++)
                won &= rows.get(i).version() != top || UserTraits.same(parsed.get(i), target);
            if (won) continue;
            mine.put(user, target);
            out.put(user, top);
        }
        return out;
    }

    /**
     * The users' rows: with {@code newerThan} null, as {@code FINAL} reads them (one a user); else every row written
     * ({@link #WRITES}) since {@code since} with a version above the user's in {@code newerThan} (or any, for a user
     * not in it).
     */
    private Map<String, List<Stored>> read(List<String> ids, Map<String, Long> newerThan, String since) {
        Map<String, List<Stored>> out = new LinkedHashMap<>();
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
            StringBuilder sql = new StringBuilder("SELECT user_id, traits, trait_times, first_seen, last_seen, version"
                    + " FROM " + (newerThan == null ? ddl.q("users") + " FINAL" : ddl.q(WRITES))
                    + (newerThan == null ? " WHERE" : " PREWHERE") + " user_id IN ("
                    + String.join(", ", chunk.stream().map(ClickHouse::literal).toList()) + ")");
            List<String> users = newerThan == null
                    ? List.of()
                    : chunk.stream().filter(newerThan::containsKey).toList();
            // PREWHERE: the rows' traits are read only for the rows that pass (a quarter off the read back, measured)
            if (since != null) sql.append(" AND updated_at >= ").append(ClickHouse.literal(since));
            if (!users.isEmpty()) sql.append(" AND version > ").append(versions(users, newerThan));
            for (String[] r : ch.rows(sql.toString())) {
                out.computeIfAbsent(r[0], k -> new ArrayList<>()).add(new Stored(r, Long.parseLong(r[5])));
            }
        }
        return out;
    }

    /**
     * An expression for each user's version in {@code of} (0 for a user not among {@code users}). The versions are
     * plain literals (all UInt64: wall-clock nanoseconds): a thousand {@code toUInt64()} calls took 18.16 longer to
     * analyse than the read itself.
     */
    private static String versions(List<String> users, Map<String, Long> of) {
        return "transform(user_id, ["
                + String.join(", ", users.stream().map(ClickHouse::literal).toList()) + "], ["
                + String.join(
                        ", ", users.stream().map(u -> of.get(u).toString()).toList())
                + "], toUInt64(0))";
    }

    /**
     * Inserts {@code rows} with a version above {@code above} and the sink's clock, noting each in {@code sent}; returns
     * that version.
     */
    private long insert(Map<String, UserTraits.Row> rows, long above, Map<String, Sent> sent) {
        long v = Math.max(version.getAsLong(), above + 1);
        StringBuilder out = new StringBuilder();
        String now = Instant.now().toString();
        rows.forEach((user, r) -> {
            Sent s = new Sent(r.traits.toString(), r.times.toString(), v);
            sent.put(user, s);
            out.append(ClickHouse.line(user, s.traits(), s.times(), r.firstSeen, r.lastSeen, now, v));
        });
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        List<String> columns =
                List.of("user_id", "traits", "trait_times", "first_seen", "last_seen", "updated_at", "version");
        ch.insert(ddl.q("users"), columns, o -> o.write(body));
        ch.insert(ddl.q(WRITES), columns, o -> o.write(body));
        return v;
    }

    /** Drops the days of {@link #WRITES} older than {@link #WRITES_DAYS}, at most once an hour. */
    private void prune() {
        long now = System.nanoTime();
        if (pruned != 0 && now - pruned < java.util.concurrent.TimeUnit.HOURS.toNanos(1)) return;
        pruned = now;
        String keep = java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                .minusDays(WRITES_DAYS - 1)
                .format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
        try {
            for (String[] p : ch.rows("SELECT DISTINCT partition FROM system.parts WHERE active AND database = "
                    + ClickHouse.literal(ddl.database()) + " AND table = "
                    + ClickHouse.literal(ddl.partsTable(WRITES)))) {
                if (p[0].matches("\\d{8}") && p[0].compareTo(keep) < 0) ch.execute(ddl.dropPartition(WRITES, p[0]));
            }
        } catch (ClickHouse.ClickHouseFailure e) { // the old days wait for the next try; the batch need not
            LOG.warn("users: could not drop {}'s days before {}; trying again in an hour", WRITES, keep, e);
        }
    }

    /** First and last seen cut to what the column keeps, so that a row compares equal to itself read back. */
    private void truncate(UserTraits.Row r) {
        r.firstSeen = truncate(r.firstSeen);
        r.lastSeen = truncate(r.lastSeen);
    }

    private String truncate(String normal) {
        if (normal == null || normal.length() != 30 || normal.charAt(19) != '.') return normal;
        return normal.substring(0, 20 + fraction) + "0".repeat(9 - fraction) + "Z";
    }

    private static UserTraits.Row copy(UserTraits.Row r) {
        return UserTraits.row(r.traits.toString(), r.times.toString(), r.firstSeen, r.lastSeen);
    }
}
