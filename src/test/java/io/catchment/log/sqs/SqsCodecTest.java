package io.catchment.log.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.bench.EventGenerator;
import io.catchment.log.EventTooLargeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqsCodecTest {
    private static byte[] lines(int from, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + n; i++)
            b.append("{\"id\":\"e")
                    .append(i)
                    .append("\",\"event\":\"Tick\",\"properties\":{\"i\":")
                    .append(i)
                    .append("}}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void several_records_share_one_message_and_come_back_line_for_line() throws IOException {
        MessagePacker packer = new MessagePacker(SqsCodec.binaryBudget(262144), 262144);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int r = 0; r < 20; r++) {
            byte[] record = lines(r * 100, 100);
            expected.write(record);
            assertThat(packer.add(SqsCodec.compress(record, SqsCodec.binaryBudget(262144))))
                    .isTrue();
        }
        List<String> bodies = packer.bodies();
        assertThat(bodies).hasSize(1);
        assertThat(SqsCodec.decode(bodies.get(0))).isEqualTo(expected.toByteArray());
    }

    @Test
    void a_record_without_a_final_newline_does_not_run_into_the_next() throws IOException {
        byte[] a = "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        byte[] b = "{\"id\":\"b\"}\n".getBytes(StandardCharsets.UTF_8);
        List<byte[]> members = new ArrayList<>(SqsCodec.compress(a, 1000));
        members.addAll(SqsCodec.compress(b, 1000));
        assertThat(new String(SqsCodec.decode(SqsCodec.body(members)), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    }

    @Test
    void a_record_too_large_for_a_message_is_split_between_lines() throws IOException {
        byte[] record = lines(0, 5000);
        int budget = 4096;
        List<byte[]> parts = SqsCodec.compress(record, budget);
        assertThat(parts.size()).isGreaterThan(1);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            assertThat(p.length).isLessThanOrEqualTo(budget);
            back.write(SqsCodec.decode(SqsCodec.body(List.of(p))));
        }
        assertThat(back.toByteArray()).isEqualTo(record);
    }

    @Test
    void a_single_line_that_cannot_fit_is_refused_naming_its_place_and_size() {
        byte[] big = new byte[50_000];
        new java.util.Random(1).nextBytes(big);
        for (int i = 0; i < big.length; i++) if (big[i] == '\n') big[i] = 'x';
        byte[] record = concat(lines(0, 2), big); // the third line is the one too large
        assertThatThrownBy(() -> SqsCodec.compress(record, 4096))
                .isInstanceOfSatisfying(
                        EventTooLargeException.class, e -> assertThat(e.index()).isEqualTo(2))
                .hasMessageContaining("event 2 takes 50000 bytes")
                .hasMessageContaining("4096 bytes compressed");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void a_body_that_is_not_ours_is_recognised() {
        assertThatThrownBy(() -> SqsCodec.decode("hello")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SqsCodec.decode("c1:!!!")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SqsCodec.decode("c1:aGVsbG8=")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SqsCodec.decode("c2:aGVsbG8=")).isInstanceOf(IOException.class);
    }

    @Test
    void a_gzip_body_of_an_earlier_version_is_still_read() throws IOException {
        byte[] record = lines(0, 50);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(record);
        }
        String body = "c1:" + java.util.Base64.getEncoder().encodeToString(gz.toByteArray());
        assertThat(SqsCodec.decode(body)).isEqualTo(record);
        assertThat(SqsCodec.body(SqsCodec.compress(record, 100_000))).startsWith("c2:");
    }

    @Test
    void a_value_repeated_further_apart_than_gzip_sees_still_fits_in_a_message() throws IOException {
        java.util.Random r = new java.util.Random(3);
        StringBuilder v = new StringBuilder();
        while (v.length() < 30_000) v.appendCodePoint(0x4E00 + r.nextInt(0x5000)); // 90 KB of UTF-8, random
        String line = "{\"id\":\"x\",\"properties\":{\"a\":\"" + v + "\",\"b\":\"" + v + "\",\"c\":\"" + v + "\"}}\n";
        byte[] record = line.getBytes(StandardCharsets.UTF_8);
        assertThat(record.length).isGreaterThan(262_144);
        List<byte[]> frames = SqsCodec.compress(record, SqsCodec.binaryBudget(262144));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).length).isLessThan(SqsCodec.binaryBudget(262144) / 2);
        assertThat(SqsCodec.decode(SqsCodec.body(frames))).isEqualTo(record);
    }

    @Test
    void the_packer_keeps_ten_messages_and_the_batch_size_limit() throws IOException {
        int maxBody = 16 << 10;
        MessagePacker packer = new MessagePacker(SqsCodec.binaryBudget(maxBody), maxBody);
        int added = 0;
        java.util.Random rnd = new java.util.Random(7);
        while (true) {
            byte[] noise = new byte[3000]; // incompressible: each record is about 3 KB compressed
            rnd.nextBytes(noise);
            for (int i = 0; i < noise.length; i++) if (noise[i] == '\n') noise[i] = 'x';
            if (!packer.add(SqsCodec.compress(noise, SqsCodec.binaryBudget(maxBody)))) break;
            added++;
        }
        int total = packer.bodies().stream().mapToInt(String::length).sum();
        assertThat(total).isLessThanOrEqualTo(maxBody);
        assertThat(packer.bodies().size()).isLessThanOrEqualTo(MessagePacker.MAX_MESSAGES);
        assertThat(added).isEqualTo(4); // 4 x ~4 KB of base64 fill 16 KB
    }

    /**
     * The figure behind the cost per billion events in docs/scale-out.md: realistic SDK events (the benchmark's
     * generator), 100 to a request, compressed as the collector sends them.
     */
    @Test
    void realistic_events_take_few_bytes_each_in_a_message() throws IOException {
        EventGenerator gen = new EventGenerator(42);
        long raw = 0, body = 0, events = 0;
        for (int r = 0; r < 200; r++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                gen.next(b);
                b.append('\n');
            }
            byte[] record = b.toString().getBytes(StandardCharsets.UTF_8);
            raw += record.length;
            for (byte[] m : SqsCodec.compress(record, SqsCodec.binaryBudget(262144)))
                body += SqsCodec.bodyLength(m.length);
            events += 100;
        }
        double perEvent = (double) body / events;
        System.out.printf(
                "SQS body bytes per event: %.1f (raw %.1f); events per 64 KiB: %.0f%n",
                perEvent, (double) raw / events, 65536 / perEvent);
        assertThat(perEvent).isLessThan(200);
    }
}
