package io.catchment.sink.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DuckDB that gave up on its database (seen here once: an insert beside a long report on a 10M-event store failed,
 * its rollback failed with "Could not find node in column segment tree", and every statement after it failed with
 * "database has been invalidated") marks the store broken: not healthy, with the reason, so that {@code serve} stops
 * for a restart instead of retrying for ever. The messages are DuckDB 2.0's, as the loader logged them.
 */
class DuckDbBrokenTest {
    @TempDir
    Path dir;

    static final String ROLLBACK = "FATAL Error: Failed to rollback transaction. Cannot continue operation.\n"
            + "Original Error: INTERNAL Error: Could not find node in column segment tree!";
    static final String INVALIDATED = "FATAL Error: Failed: database has been invalidated because of a previous fatal "
            + "error. The database must be restarted prior to being used again.";

    @Test
    void duckdbs_own_words_for_a_database_it_gave_up_on() {
        assertThat(DuckDbErrors.isBroken(new SQLException(ROLLBACK))).isTrue();
        assertThat(DuckDbErrors.isBroken(new RuntimeException("write failed", new SQLException(INVALIDATED))))
                .isTrue();
        assertThat(DuckDbErrors.isBroken(new SQLException("Out of Memory Error: failed to allocate")))
                .isFalse();
        assertThat(DuckDbErrors.isBroken(new SQLException("Conversion Error: Could not convert string 'x' to INT64")))
                .isFalse();
    }

    @Test
    void a_broken_store_says_so_and_is_not_healthy() throws Exception {
        try (DuckDbSink store = new DuckDbSink(dir, "256MB", "16MB")) {
            store.noteBroken(new SQLException("Conversion Error: a refused value"));
            assertThat(store.healthy()).isTrue();
            assertThat(store.broken()).isNull();
            store.noteBroken(new SQLException(INVALIDATED));
            assertThat(store.healthy()).isFalse();
            assertThat(store.broken()).contains("database has been invalidated");
        }
    }
}
