package io.catchment.analytics;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;

/**
 * The time a report covers, [{@code start}, {@code end}), in a named IANA zone. {@code from}/{@code to} are local dates
 * (both days included) or ISO-8601 instants; without them, the last 30 days up to today. Local time in SQL comes from
 * this class too: {@link #localEpoch} adds each row's UTC offset as a CASE over the zone's transitions near the range,
 * taken from java.time's rules, so both stores use the same rules (and DuckDB needs no time-zone lookup per row).
 */
record TimeRange(ZoneId zone, Instant start, Instant end) {
    static final Duration MAX = Duration.ofDays(3 * 366);

    static ZoneId zone(Req r, String dflt) {
        String z = r.text("timezone", dflt);
        try {
            return ZoneId.of(z);
        } catch (DateTimeException e) {
            throw r.bad("timezone", "'" + z + "' is not an IANA time zone (like Europe/Berlin or UTC)");
        }
    }

    static TimeRange of(Req r, ZoneId zone, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        Instant start = r.has("from")
                ? time(r, "from", zone, false)
                : today.minusDays(29).atStartOfDay(zone).toInstant();
        Instant end = r.has("to")
                ? time(r, "to", zone, true)
                : today.plusDays(1).atStartOfDay(zone).toInstant();
        if (!end.isAfter(start)) throw r.bad("to", "must be after from");
        if (Duration.between(start, end).compareTo(MAX) > 0) throw r.bad("from", "a report covers at most 3 years");
        return new TimeRange(zone, start, end);
    }

    private static Instant time(Req r, String key, ZoneId zone, boolean endOfDay) {
        String v = r.text(key);
        try {
            LocalDate d = LocalDate.parse(v);
            return (endOfDay ? d.plusDays(1) : d).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException notADate) {
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                throw r.bad(key, "'" + v + "' is neither a date (2026-03-01) nor an ISO-8601 time with an offset");
            }
        }
    }

    TimeRange shifted(Duration back) {
        return new TimeRange(zone, start.minus(back), end.minus(back));
    }

    /** This range's bucket numbers, first to last, without the clock hours and minutes a DST change skips. */
    long[] buckets(Interval iv) {
        long first = iv.of(start.atZone(zone).toLocalDateTime());
        long last = iv.of(end.minusMillis(1).atZone(zone).toLocalDateTime());
        java.util.List<Long> out = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            boolean skipped = (iv == Interval.HOUR || iv == Interval.MINUTE)
                    && zone.getRules()
                            .getValidOffsets(java.time.LocalDateTime.ofEpochSecond(
                                    n * (iv == Interval.HOUR ? 3600 : 60), 0, ZoneOffset.UTC))
                            .isEmpty();
            if (!skipped) out.add(n);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Appends the local epoch seconds of {@code epochExpr} (UTC epoch seconds): the zone's offset for each stretch
     * between transitions from {@code from} to {@code to} (a week of margin each side); times outside use the nearest
     * stretch's offset.
     */
    void localEpoch(Sql s, String epochExpr, Instant from, Instant to) {
        ZoneRules rules = zone.getRules();
        if (rules.isFixedOffset()) {
            s.a("(" + epochExpr + " + " + rules.getOffset(start).getTotalSeconds() + ")");
            return;
        }
        Instant lo = from.minus(Duration.ofDays(7));
        Instant hi = to.plus(Duration.ofDays(7));
        List<ZoneOffsetTransition> changes = new ArrayList<>();
        for (ZoneOffsetTransition t = rules.nextTransition(lo);
                t != null && t.getInstant().isBefore(hi);
                t = rules.nextTransition(t.getInstant())) changes.add(t);
        ZoneOffset first = rules.getOffset(lo);
        if (changes.isEmpty()) {
            s.a("(" + epochExpr + " + " + first.getTotalSeconds() + ")");
            return;
        }
        s.a("(" + epochExpr + " + CASE");
        ZoneOffset before = first;
        for (ZoneOffsetTransition t : changes) {
            s.a(" WHEN " + epochExpr + " < " + t.getInstant().getEpochSecond() + " THEN " + before.getTotalSeconds());
            before = t.getOffsetAfter();
        }
        s.a(" ELSE " + before.getTotalSeconds() + " END)");
    }

    /** Appends the bucket number of {@code epochExpr} (UTC epoch seconds) for {@code iv} in this zone. */
    void bucket(Sql s, Interval iv, String epochExpr, Instant from, Instant to) {
        Sql l = s.fresh();
        localEpoch(l, epochExpr, from, to);
        String local = l.text();
        if (iv != Interval.MONTH) {
            iv.index(s, local);
            return;
        }
        // months differ in length: a CASE over the local epoch day each month starts on
        String day = s.fresh().div(local, 86_400).text();
        LocalDate m = LocalDate.ofInstant(from.minus(Duration.ofDays(40)), zone).withDayOfMonth(1);
        LocalDate stop = LocalDate.ofInstant(to.plus(Duration.ofDays(40)), zone);
        s.a("CASE");
        long n = m.getYear() * 12L + m.getMonthValue() - 1;
        for (LocalDate next = m.plusMonths(1); !next.isAfter(stop); next = next.plusMonths(1), n++) {
            s.a(" WHEN " + day + " < " + next.toEpochDay() + " THEN " + n);
        }
        s.a(" ELSE " + n + " END");
    }

    long startEpoch() {
        return start.getEpochSecond();
    }

    long endEpoch() {
        return end.getEpochSecond();
    }
}
