package io.catchment.sink.clickhouse;

import java.util.Set;

/**
 * ClickHouse's error codes that Catchment acts on, by name (from ClickHouse's {@code ErrorCodes.cpp}), and the one
 * rule that tells a failure that may pass (the server busy, out of memory, timed out) from one about the statement or
 * its data.
 */
final class ClickHouseErrors {
    private ClickHouseErrors() {}

    static final int ILLEGAL_COLUMN = 44;
    static final int DUPLICATE_COLUMN = 15;
    static final int TIMEOUT_EXCEEDED = 159;
    static final int READONLY = 164;
    static final int TOO_MANY_SIMULTANEOUS_QUERIES = 202;
    static final int SOCKET_TIMEOUT = 209;
    static final int NETWORK_ERROR = 210;
    static final int MEMORY_LIMIT_EXCEEDED = 241;
    static final int TABLE_IS_READ_ONLY = 242;
    static final int TOO_MANY_PARTS = 252;
    static final int KEEPER_EXCEPTION = 999;
    static final int SYSTEM_ERROR = 425;

    /** Server errors that may pass: retried, not taken apart. */
    private static final Set<Integer> BUSY = Set.of(
            MEMORY_LIMIT_EXCEEDED,
            TOO_MANY_PARTS,
            TOO_MANY_SIMULTANEOUS_QUERIES,
            TIMEOUT_EXCEEDED,
            SOCKET_TIMEOUT,
            NETWORK_ERROR,
            TABLE_IS_READ_ONLY,
            KEEPER_EXCEPTION,
            SYSTEM_ERROR);

    static boolean busy(int code) {
        return BUSY.contains(code);
    }

    /** Whether an ADD COLUMN failed because the column exists already (another loader added it first). */
    static boolean columnExists(int code) {
        return code == ILLEGAL_COLUMN || code == DUPLICATE_COLUMN;
    }
}
