package io.catchment.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.catchment.sink.Sink;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Local time as the reports compute it, against java.time, for any zone and dates from 1970 to 2100: bucket numbers
 * and starts are inverse, a day range has one bucket per local day, an hourly day has one bucket per clock hour that
 * exists, and the SQL that turns epoch seconds into local epoch seconds (run in DuckDB) agrees with the zone's rules at
 * every instant, DST changes included.
 */
class TimeRangeProperties {
    private static Connection duckdb;

    private static synchronized Connection duckdb() throws Exception {
        if (duckdb == null) duckdb = DriverManager.getConnection("jdbc:duckdb:");
        return duckdb;
    }

    @AfterContainer
    static void close() throws Exception {
        if (duckdb != null) duckdb.close();
    }

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(List.copyOf(ZoneId.getAvailableZoneIds())).map(ZoneId::of);
    }

    @Provide
    Arbitrary<LocalDate> dates() {
        return Arbitraries.longs()
                .between(
                        LocalDate.of(1971, 1, 1).toEpochDay(),
                        LocalDate.of(2099, 1, 1).toEpochDay())
                .map(LocalDate::ofEpochDay);
    }

    @Property(tries = 300)
    void one_bucket_per_local_day_and_back(
            @ForAll("zones") ZoneId zone,
            @ForAll("dates") LocalDate from,
            @ForAll @IntRange(min = 1, max = 60) int days) {
        TimeRange r = new TimeRange(
                zone,
                from.atStartOfDay(zone).toInstant(),
                from.plusDays(days).atStartOfDay(zone).toInstant());
        long[] b = r.buckets(Interval.DAY);
        assertThat(b).hasSize(days);
        for (int i = 0; i < b.length; i++) {
            assertThat(Interval.DAY.start(b[i], zone).toLocalDate()).isEqualTo(from.plusDays(i));
            assertThat(Interval.DAY.of(Interval.DAY.start(b[i], zone).toLocalDateTime()))
                    .isEqualTo(b[i]);
        }
        for (Interval iv : new Interval[] {Interval.WEEK, Interval.MONTH}) {
            for (long n : r.buckets(iv))
                assertThat(iv.of(iv.start(n, zone).toLocalDateTime())).isEqualTo(n);
        }
    }

    @Property(tries = 300)
    void an_hourly_day_has_each_clock_hour_that_exists_once(
            @ForAll("zones") ZoneId zone, @ForAll("dates") LocalDate day) {
        TimeRange r = new TimeRange(
                zone,
                day.atStartOfDay(zone).toInstant(),
                day.plusDays(1).atStartOfDay(zone).toInstant());
        long existing = 0;
        for (int h = 0; h < 24; h++) {
            LocalDateTime start = day.atTime(h, 0);
            // an hour exists when any minute of it has an offset (zones with 30-minute changes skip half an hour)
            boolean any = false;
            for (int m = 0; m < 60; m += 15)
                any |= !zone.getRules().getValidOffsets(start.plusMinutes(m)).isEmpty();
            if (any) existing++;
        }
        long[] hours = r.buckets(Interval.HOUR);
        assertThat((long) hours.length).isBetween(existing - 1, existing);
        assertThat(hours).isSorted().doesNotHaveDuplicates();
    }

    @Property(tries = 200)
    void local_epoch_sql_follows_the_zones_rules(
            @ForAll("zones") ZoneId zone,
            @ForAll("dates") LocalDate from,
            @ForAll @IntRange(min = 1, max = 400) int days,
            @ForAll @IntRange(min = 0, max = 1000) int at)
            throws Exception {
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = from.plusDays(days).atStartOfDay(zone).toInstant();
        TimeRange r = new TimeRange(zone, start, end);
        // an instant inside the range, and one just outside each end
        long span = Duration.between(start, end).toSeconds();
        long[] instants = {start.getEpochSecond() + span * at / 1000, start.getEpochSecond() - 1, end.getEpochSecond()};
        for (long t : instants) {
            Sql s = new Sql(Sink.Dialect.DUCKDB);
            s.a("SELECT ");
            r.localEpoch(s, "x", start, end);
            s.a(" FROM (SELECT CAST(" + t + " AS BIGINT) AS x) AS v");
            try (Statement st = duckdb().createStatement();
                    ResultSet rs = st.executeQuery(s.text())) {
                rs.next();
                long expected =
                        t + zone.getRules().getOffset(Instant.ofEpochSecond(t)).getTotalSeconds();
                assertThat(rs.getLong(1))
                        .as("%s at %s", zone, Instant.ofEpochSecond(t))
                        .isEqualTo(expected);
            }
        }
    }

    @Property(tries = 100)
    void month_buckets_in_sql_match_java(
            @ForAll("zones") ZoneId zone,
            @ForAll("dates") LocalDate from,
            @ForAll @IntRange(min = 0, max = 1000) int at)
            throws Exception {
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = from.plusMonths(14).atStartOfDay(zone).toInstant();
        TimeRange r = new TimeRange(zone, start, end);
        long t = start.getEpochSecond() + Duration.between(start, end).toSeconds() * at / 1000;
        Sql s = new Sql(Sink.Dialect.DUCKDB);
        s.a("SELECT ");
        r.bucket(s, Interval.MONTH, "x", start, end);
        s.a(" FROM (SELECT CAST(" + t + " AS BIGINT) AS x) AS v");
        try (Statement st = duckdb().createStatement();
                ResultSet rs = st.executeQuery(s.text())) {
            rs.next();
            LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochSecond(t), zone);
            assertThat(rs.getLong(1)).isEqualTo(Interval.MONTH.of(local));
        }
    }
}
