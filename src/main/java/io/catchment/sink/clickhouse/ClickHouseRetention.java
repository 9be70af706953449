package io.catchment.sink.clickhouse;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * Retention on ClickHouse: the tables are partitioned by month ({@code toYYYYMM(timestamp)}), and a partition whose
 * month ended before the cutoff is dropped whole, which costs a metadata change rather than a rewrite. Rows of the month
 * the cutoff falls in stay until that month has ended: at most a month longer than asked.
 */
final class ClickHouseRetention {
    private ClickHouseRetention() {}

    /** Drops {@code table}'s months that end before {@code before}; returns their rows. */
    static long expire(ClickHouse ch, ClickHouseDdl ddl, String db, String table, Instant before) {
        long rows = 0;
        for (String[] p : ch.rows("SELECT partition, sum(rows) FROM system.parts WHERE active AND database = "
                + ClickHouse.literal(db) + " AND table = " + ClickHouse.literal(ddl.partsTable(table))
                + " GROUP BY partition ORDER BY partition")) {
            if (!p[0].matches("\\d{6}")) continue; // not a month: not ours to judge
            int yyyymm = Integer.parseInt(p[0]);
            Instant end = YearMonth.of(yyyymm / 100, yyyymm % 100)
                    .plusMonths(1)
                    .atDay(1)
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
            if (end.isAfter(before)) continue;
            ch.execute(ddl.dropPartition(table, p[0]));
            rows += Long.parseLong(p[1]);
        }
        return rows;
    }
}
