package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NewlinesTest {
    @Test
    void finds_the_same_lines_as_a_byte_by_byte_scan() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 2000; round++) {
            byte[] p = new byte[random.nextInt(0, 70)];
            for (int i = 0; i < p.length; i++) {
                // newlines, bytes next to them in value (0x09, 0x0B, 0x8A) and anything else
                int k = random.nextInt(6);
                p[i] = (byte) (k == 0 ? '\n' : k == 1 ? 0x09 : k == 2 ? 0x0B : k == 3 ? 0x8A : random.nextInt(256));
            }
            List<int[]> expected = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= p.length; i++) {
                if (i < p.length && p[i] != '\n') continue;
                if (i > start) expected.add(new int[] {start, i - start});
                start = i + 1;
            }
            List<int[]> got = new ArrayList<>();
            Newlines.forEach(p, (s, len) -> got.add(new int[] {s, len}));
            assertThat(got).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }
}
