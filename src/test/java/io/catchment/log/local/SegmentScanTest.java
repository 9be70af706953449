package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The torn-tail rule: damage is a torn tail only when no valid record starts after it. */
class SegmentScanTest {
    @TempDir
    Path dir;

    private static byte[] record(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + p.length)
                .putInt(p.length)
                .putInt(Segment.crc(p))
                .put(p)
                .array();
    }

    private SegmentScan scan(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Segment.header(0).array());
        for (byte[] p : parts) out.writeBytes(p);
        Path f = dir.resolve(Segment.fileName(0));
        Files.write(f, out.toByteArray());
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            return SegmentScan.of(ch, 0);
        }
    }

    private static byte[] flipped(byte[] record) {
        byte[] r = record.clone();
        r[r.length - 1] ^= 1;
        return r;
    }

    @Test
    void whole_records_scan_clean() throws IOException {
        SegmentScan s = scan(record("a"), record("bb"));
        assertThat(s.damage()).isNull();
        assertThat(s.records()).isEqualTo(2);
        assertThat(s.validBytes()).isEqualTo(16 + 9 + 10);
    }

    @Test
    void a_checksum_mismatch_in_the_last_record_is_a_torn_tail() throws IOException {
        SegmentScan s = scan(record("a"), flipped(record("bb")));
        assertThat(s.damage().kind()).isEqualTo(SegmentScan.Kind.TORN_TAIL);
        assertThat(s.validBytes()).isEqualTo(25);
    }

    @Test
    void zeros_after_the_last_record_are_a_torn_tail() throws IOException {
        SegmentScan s = scan(record("a"), new byte[4096]);
        assertThat(s.damage().kind()).isEqualTo(SegmentScan.Kind.TORN_TAIL);
        assertThat(s.damage().what()).contains("invalid record length").contains("found 0");
    }

    @Test
    void a_checksum_mismatch_with_a_valid_record_after_it_is_mid_segment_damage() throws IOException {
        SegmentScan s = scan(record("a"), flipped(record("bb")), record("ccc"));
        assertThat(s.damage().kind()).isEqualTo(SegmentScan.Kind.BAD_RECORD);
        assertThat(s.damage().at()).isEqualTo(25);
        assertThat(s.damage().what()).contains("a valid record follows at byte 35");
    }

    @Test
    void a_length_that_runs_past_the_end_with_a_valid_record_after_it_is_mid_segment_damage() throws IOException {
        byte[] bad = record("bb");
        ByteBuffer.wrap(bad).putInt(0, 1 << 20); // looks like a record cut short
        SegmentScan s = scan(record("a"), bad, record("ccc"));
        assertThat(s.damage().kind()).isEqualTo(SegmentScan.Kind.BAD_RECORD);
        assertThat(s.damage().what()).contains("record cut short: expected 1048576 payload bytes");
    }
}
