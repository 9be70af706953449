package io.catchment.analytics;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * A report's time bucket, numbered from the epoch in local time: minute and hour are local clock minutes and hours
 * since 1970-01-01T00:00, day is the local date's epoch day, week counts Mondays, month is {@code year * 12 + month -
 * 1}. The number is computed in SQL from local epoch seconds ({@link TimeRange#localEpoch}) and turned back into the
 * bucket's start here, with java.time's rules for the zone: a day is 23 or 25 hours long across a DST change, and the
 * repeated hour of a fall-back night is one bucket of two hours.
 */
enum Interval {
    MINUTE,
    HOUR,
    DAY,
    WEEK,
    MONTH;

    static Interval parse(Req r, String key, Interval dflt) {
        String v = r.choice(
                key, dflt.name().toLowerCase(Locale.ROOT), java.util.Set.of("minute", "hour", "day", "week", "month"));
        return valueOf(v.toUpperCase(Locale.ROOT));
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Appends this bucket's number for the local epoch seconds {@code local} (an SQL expression). */
    void index(Sql s, String local) {
        switch (this) {
            case MINUTE -> s.div(local, 60);
            case HOUR -> s.div(local, 3600);
            case DAY -> s.div(local, 86_400);
            case WEEK -> s.div(s.fresh().div(local, 86_400).text() + " + 3", 7);
            case MONTH -> throw new IllegalStateException("months are numbered by TimeRange.monthIndex");
        }
    }

    /** The bucket numbered {@code n}, as the zoned time it starts. */
    ZonedDateTime start(long n, ZoneId zone) {
        return switch (this) {
            case MINUTE ->
                LocalDateTime.ofEpochSecond(n * 60, 0, ZoneOffset.UTC).atZone(zone);
            case HOUR ->
                LocalDateTime.ofEpochSecond(n * 3600, 0, ZoneOffset.UTC).atZone(zone);
            case DAY -> LocalDate.ofEpochDay(n).atStartOfDay(zone);
            case WEEK -> LocalDate.ofEpochDay(n * 7 - 3).atStartOfDay(zone);
            case MONTH ->
                LocalDate.of((int) Math.floorDiv(n, 12), (int) Math.floorMod(n, 12) + 1, 1)
                        .atStartOfDay(zone);
        };
    }

    /** The number of the bucket holding local time {@code t}. */
    long of(LocalDateTime t) {
        long local = t.toEpochSecond(ZoneOffset.UTC);
        return switch (this) {
            case MINUTE -> Math.floorDiv(local, 60);
            case HOUR -> Math.floorDiv(local, 3600);
            case DAY -> t.toLocalDate().toEpochDay();
            case WEEK -> Math.floorDiv(t.toLocalDate().toEpochDay() + 3, 7);
            case MONTH -> t.getYear() * 12L + t.getMonthValue() - 1;
        };
    }
}
