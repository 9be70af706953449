package io.catchment.sink.duckdb;

import io.catchment.schema.ColumnType;
import io.catchment.schema.Names;
import io.catchment.sink.BatchIds;
import io.catchment.sink.Dedup;
import io.catchment.sink.SeenIds;
import io.catchment.sink.TableBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The exact duplicate check of a DuckDB batch: the batch's events already stored in {@code events} within the window
 * (same id, UTC days less than {@link Dedup#windowDays} apart) go to a temporary table {@code _dups}, and each table's
 * load leaves their rows out. The per-day id sets ({@link SeenIds}) pick the few events that may be stored; only
 * those are looked up in {@code events}, by id, so a batch of new events costs the same however many the store holds.
 * The sets are built from {@code events} on the writer's connection (inside its transaction: committed rows only) and
 * take a batch's ids only after its commit. Each table's load ({@link #insertAll}) leaves the duplicates out. Called
 * under the sink's lock.
 */
final class DuckDbDedup implements SeenIds.Store {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DuckDbDedup.class);
    private final Connection conn;
    private final Dedup dedup;
    private final SeenIds seen;
    private final Path staging;
    private long files;

    DuckDbDedup(Connection conn, Dedup dedup, Path staging) {
        this.conn = conn;
        this.dedup = dedup;
        this.seen = new SeenIds(dedup);
        this.staging = staging;
    }

    /** Builds the sets of the newest days stored (not after tomorrow: a clock far ahead is not the present). */
    void preload() throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(" + day(null) + ") FROM events WHERE \"timestamp\" < now() "
                        + "+ INTERVAL 2 DAY")) {
            if (rs.next() && rs.getObject(1) != null) seen.preload(rs.getInt(1), this);
            conn.commit();
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("cannot build the duplicate check's id sets: " + e.getMessage(), e);
        }
    }

    /** Looks the batch up; {@code stored}: whether {@code events} existed before the batch. */
    SeenIds.Check check(TableBatch ids, boolean stored) throws SQLException {
        try {
            return seen.check(BatchIds.of(ids), stored ? this : NOTHING);
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("duplicate check: " + e.getMessage(), e);
        }
    }

    /** After the batch committed: its ids are stored now. */
    void committed(SeenIds.Check c) {
        seen.add(c);
    }

    /** Forgets the sets: the store was written around the loader (an upgrade). */
    void clear() {
        seen.clear();
    }

    @Override
    public long count(int day) throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM events WHERE " + range(day, day))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void hashes(int day, java.util.function.LongConsumer out) throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT " + dedup.hashSql().apply("id", false) + " FROM events WHERE " + range(day, day))) {
            while (rs.next()) out.accept(rs.getLong(1));
        }
    }

    private static final SeenIds.Store NOTHING = new SeenIds.Store() {
        @Override
        public long count(int day) {
            return 0;
        }

        @Override
        public void hashes(int day, java.util.function.LongConsumer out) {}
    };

    /**
     * Collects into the temp table {@code _dups} the batch's events that are stored already (looked up in
     * {@code events} by id, only those the sets could not rule out) or repeated within the batch; returns how many.
     */
    long findDuplicates(Statement s, SeenIds.Check c) throws SQLException, IOException {
        if (c.none()) return 0;
        CsvStage stage = new CsvStage(staging.resolve("dups-" + ++files + ".csv"));
        int from = Integer.MAX_VALUE;
        int to = Integer.MIN_VALUE;
        ColumnType[] types = {ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.BOOLEAN};
        try {
            BitSet both = (BitSet) c.candidates().clone();
            both.or(c.repeats());
            for (int i = both.nextSetBit(0); i >= 0; i = both.nextSetBit(i + 1)) {
                stage.row(
                        new Object[] {
                            c.ids().id(i), (long) c.days()[i], c.repeats().get(i)
                        },
                        types,
                        3);
                if (!c.repeats().get(i)) {
                    from = Math.min(from, c.days()[i]);
                    to = Math.max(to, c.days()[i]);
                }
            }
            stage.close();
            String cand = stage.readCsv("'id': 'VARCHAR', 'day': 'INTEGER', 'rep': 'BOOLEAN'", false);
            int w = dedup.windowDays();
            String stored = from > to
                    ? ""
                    : " UNION ALL SELECT b.id, b.day FROM " + cand + " b SEMI JOIN (SELECT id, " + day(null)
                            + " AS day FROM events WHERE " + range(from - w + 1, to + w - 1)
                            + " AND id IN (SELECT id FROM " + cand + " WHERE NOT rep)) e ON b.id = e.id AND "
                            + (w == 1 ? "b.day = e.day" : "abs(b.day - e.day) < " + w) + " WHERE NOT b.rep";
            s.execute("CREATE OR REPLACE TEMP TABLE _dups AS SELECT id, day FROM " + cand + " WHERE rep" + stored);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM _dups")) {
                rs.next();
                long n = rs.getLong(1);
                LOG.debug(
                        "duplicate check: {} of {} events looked up in the store, {} stored",
                        both.cardinality(),
                        c.ids().size(),
                        n);
                return n;
            }
        } finally {
            stage.discard();
        }
    }

    private static String range(int fromDay, int toDay) {
        return "\"timestamp\" >= TIMESTAMPTZ '" + LocalDate.ofEpochDay(fromDay) + " 00:00:00+00' AND \"timestamp\" < "
                + "TIMESTAMPTZ '" + LocalDate.ofEpochDay(toDay + 1L) + " 00:00:00+00'";
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
     * and the duplicate check computes it for every stored event of the days it looks up.
     */
    static String day(String alias) {
        return "CAST(floor(epoch_us(" + (alias == null ? "" : alias + ".")
                + "\"timestamp\") / 86400000000.0) AS INTEGER)";
    }
}
