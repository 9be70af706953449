package io.catchment.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written time reader agrees with java.time on every shape it takes, and leaves the rest to it. */
class FastTimeTest {
    private static Instant slow(String s) {
        String iso = s.replace(' ', 'T');
        try {
            return iso.endsWith("Z") || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10
                    ? OffsetDateTime.parse(iso).toInstant()
                    : LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    @Test
    void agrees_with_java_time_on_random_times() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(String.format(
                    "%04d-%02d-%02d%c%02d:%02d:%02d",
                    1 + r.nextInt(9999),
                    1 + r.nextInt(12),
                    1 + r.nextInt(31),
                    r.nextBoolean() ? 'T' : ' ',
                    r.nextInt(24),
                    r.nextInt(60),
                    r.nextInt(60)));
            int frac = r.nextInt(10);
            if (frac > 0) {
                b.append('.');
                for (int k = 0; k < frac; k++) b.append((char) ('0' + r.nextInt(10)));
            }
            switch (r.nextInt(3)) {
                case 0 -> b.append('Z');
                case 1 ->
                    b.append(String.format("%c%02d:%02d", r.nextBoolean() ? '+' : '-', r.nextInt(15), r.nextInt(60)));
                default -> {}
            }
            String s = b.toString();
            Instant fast = Flattener.fastTime(s);
            if (fast != null) assertThat(fast).as(s).isEqualTo(slow(s));
            else
                assertThat(slow(s))
                        .as("fast reader refused a time java.time reads: %s", s)
                        .isNull();
        }
        assertThat(Flattener.fastTime("2023-02-29 10:00:00")).isNull();
        assertThat(Flattener.fastTime("2024-02-29 10:00:00.123456"))
                .isEqualTo(Instant.parse("2024-02-29T10:00:00.123456Z"));
        assertThat(Flattener.fastTime("2024-01-01T00:00:00+0200")).isNull(); // not this shape: java.time decides
    }

    @Test
    void writes_times_as_instant_to_string_does() {
        SplittableRandom r = new SplittableRandom(5);
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 50_000; i++) {
            int[] scale = {0, 1, 1_000, 1_000_000, 100_000_000};
            int s = scale[r.nextInt(scale.length)];
            int nano = s == 0 ? 0 : r.nextInt(1_000_000_000 / s) * s;
            Instant t = Instant.ofEpochSecond(r.nextLong(min, max + 1), nano);
            assertThat(Field.TimeValue.iso(t)).isEqualTo(t.toString());
        }
        assertThat(Field.TimeValue.iso(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
    }
}
