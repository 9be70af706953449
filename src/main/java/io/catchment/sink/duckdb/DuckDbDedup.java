package io.catchment.sink.duckdb;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.sink.TableBatch;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The exact duplicate check of a DuckDB batch: the batch's ids that {@code events} already holds on the same UTC day
 * go to a temporary table {@code _dups}, and each table's load ({@link #insertAll}) leaves their rows out. Runs inside
 * the batch's transaction.
 */
final class DuckDbDedup {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DuckDbSink.class);

    private DuckDbDedup() {}

    /**
     * Collects into the temp table {@code _dups} the batch's events already stored in {@code events} for the same UTC
     * day. Every event has its row in {@code events}, so one lookup there serves every table. Only the days the batch
     * touches are scanned, so the cost follows the size of those days, not of the table.
     */
    static long findDuplicates(Statement s, TableBatch ids) throws SQLException {
        StringBuilder union = new StringBuilder();
        String from = null;
        String to = null;
        for (TableBatch.Part part : ids.parts()) {
            if (part.firstDay() == null) continue;
            if (union.length() > 0) union.append(" UNION ALL ");
            union.append("SELECT * FROM ")
                    .append(((CsvStage) part.staged())
                            .readCsv("'id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'tbl': 'VARCHAR'", part.ragged()));
            from = from == null || part.firstDay().compareTo(from) < 0 ? part.firstDay() : from;
            to = to == null || part.lastDay().compareTo(to) > 0 ? part.lastDay() : to;
        }
        if (from == null) return 0;
        s.execute("CREATE OR REPLACE TEMP TABLE _dups AS SELECT b.id, " + day("b") + " AS day FROM (" + union
                + ") b SEMI JOIN (SELECT id, " + day(null) + " AS day FROM events WHERE \"timestamp\" >= TIMESTAMPTZ '"
                + from + " 00:00:00+00' AND \"timestamp\" < TIMESTAMPTZ '" + to + " 00:00:00+00' + INTERVAL 1 DAY) e "
                + "ON b.id = e.id AND " + day("b") + " = e.day");
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM _dups")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Loads every part of {@code batches} ({@link #insertSql}), putting the rows each table did not take (duplicates,
     * and refused rows with {@code storeRejects}) in {@code skipped} and each staged file's table in {@code tableOfFile}
     * (by path).
     */
    static void insertAll(
            Statement s,
            List<TableBatch> batches,
            boolean skipDuplicates,
            boolean storeRejects,
            boolean skipRefused,
            Map<String, Long> skipped,
            Map<String, String> tableOfFile)
            throws SQLException {
        for (TableBatch b : batches) {
            long inserted = 0;
            for (TableBatch.Part part : b.parts()) {
                long ts = System.nanoTime();
                inserted += s.executeUpdate(insertSql(b.table(), part, skipDuplicates, storeRejects, skipRefused));
                tableOfFile.put(((CsvStage) part.staged()).file().toString(), b.table());
                if (LOG.isDebugEnabled() && System.nanoTime() - ts > 50_000_000L) {
                    LOG.debug(
                            "slow insert into {}: {} rows, {} columns, ragged {}, {} ms",
                            b.table(),
                            part.rows(),
                            part.columns().size(),
                            part.ragged(),
                            (System.nanoTime() - ts) / 1_000_000);
                }
            }
            skipped.put(b.table(), b.rows() - inserted);
        }
    }

    /**
     * The load of one staged part; with {@code skipDuplicates}, rows of events listed in {@code _dups} are left out; with
     * {@code storeRejects}, rows the reader refuses are skipped and listed ({@link DuckDbRejects}); with
     * {@code skipRefused}, rows of the events listed in {@code _refused} are left out. Each cell is read
     * as its column's own type, JSON included, so that the reader, not a cast after the join, is what refuses a value.
     */
    static String insertSql(
            String table, TableBatch.Part part, boolean skipDuplicates, boolean storeRejects, boolean skipRefused) {
        List<ColumnType> types = part.types();
        StringBuilder cols = new StringBuilder();
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < types.size(); i++) {
            String c = part.columns().get(i);
            if (i > 0) {
                cols.append(", ");
                spec.append(", ");
            }
            cols.append(Names.quote(c));
            spec.append('\'').append(c).append("': '").append(types.get(i).sql).append('\'');
        }
        String source = ((CsvStage) part.staged()).readCsv(spec.toString(), part.ragged(), storeRejects);
        String t = Names.quote(table);
        StringBuilder sql = new StringBuilder("INSERT INTO " + t + " (" + cols + ") SELECT s.* FROM " + source + " s");
        if (skipDuplicates && part.columns().contains("timestamp")) {
            sql.append(" ANTI JOIN _dups d ON s.id = d.id AND ")
                    .append(day("s"))
                    .append(" = d.day");
        }
        if (skipRefused) sql.append(" ANTI JOIN _refused r ON s.id = r.id");
        return sql.toString();
    }

    /**
     * The UTC day of {@code alias.timestamp} as a day number since 1970-01-01. Arithmetic on the epoch rather than
     * {@code CAST(… AS DATE)}, which DuckDB computes through ICU's calendar for a {@code TIMESTAMPTZ}: 15 times slower,
     * and the duplicate check computes it for every stored event of the days a batch touches.
     */
    static String day(String alias) {
        return "CAST(floor(epoch_us(" + (alias == null ? "" : alias + ".")
                + "\"timestamp\") / 86400000000.0) AS INTEGER)";
    }
}
