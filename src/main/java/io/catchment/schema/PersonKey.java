package io.catchment.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A person's id as a 63-bit integer, kept with every row as {@code person_key}: counting people and finding one
 * person's rows then compares integers, not text (DAU over 10M events, a person's page; BENCHMARKS.md, session 12).
 * The key of an id is the first 8 bytes of its UTF-8 MD5 digest read little-endian, top bit cleared; the stores
 * compute the same from SQL ({@link #sql}), so rows written before the column existed are filled by the stores
 * themselves. Two ids share a key with a chance of about n²/2⁶⁴ among n people (1 in 370,000 for 10 million).
 */
public final class PersonKey {
    public static final String COLUMN = "person_key";

    private PersonKey() {}

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public static long of(String id) {
        byte[] d = MD5.get().digest(id.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (d[i] & 0xFF);
        return v & Long.MAX_VALUE;
    }

    /** The key of the text expression {@code expr} in SQL: {@code clickhouse} for ClickHouse, else DuckDB. */
    public static String sql(String expr, boolean clickhouse) {
        return clickhouse
                ? "toInt64(bitAnd(reinterpretAsUInt64(MD5(" + expr + ")), 9223372036854775807))"
                : "CAST(md5_number(" + expr + ") & 9223372036854775807 AS BIGINT)";
    }
}
