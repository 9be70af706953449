package io.catchment.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnicodeTest {
    @Test
    void well_formed_text_is_returned_as_it_is() {
        String s = "plain, ünïcödé, emoji 😀, CJK 中文, \0\r\n";
        assertThat(Unicode.wellFormed(s)).isSameAs(s);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        assertThat(Unicode.wellFormed(b)).isSameAs(b);
    }

    @Test
    void each_lone_surrogate_becomes_one_replacement_character() {
        assertThat(Unicode.wellFormed("a\udcbf\udfffb")).isEqualTo("a\uFFFD\uFFFDb");
        assertThat(Unicode.wellFormed("\ud83d")).isEqualTo("\uFFFD");
        assertThat(Unicode.wellFormed("x\ud83d\ude00\ude00")).isEqualTo("x\ud83d\ude00\uFFFD");
    }

    @Test
    void malformed_utf8_becomes_replacement_characters_as_javas_decoder_reads_it() {
        byte[][] bad = {
            {(byte) 0xff},
            {(byte) 0xc3},
            {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, // truncated, overlong
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // an encoded surrogate (CESU-8)
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
            {(byte) 0xc0, (byte) 0xaf},
            {'a', (byte) 0x80, 'b'}
        };
        for (byte[] b : bad) {
            assertThat(Unicode.isUtf8(b)).as("%s", java.util.Arrays.toString(b)).isFalse();
            String fixed = new String(Unicode.wellFormed(b), StandardCharsets.UTF_8);
            assertThat(fixed).contains("\uFFFD").isEqualTo(new String(b, StandardCharsets.UTF_8));
        }
    }

    @Test
    void a_surrogate_pair_encoded_as_two_three_byte_sequences_is_the_character_it_encodes() {
        // what mixpanel-browser's UTF-8 encoder sends for "🚀 ok": each UTF-16 code unit encoded on its own (CESU-8)
        byte[] cesu = {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xba, (byte) 0x80, ' ', 'o', 'k'};
        assertThat(new String(Unicode.wellFormed(cesu), StandardCharsets.UTF_8)).isEqualTo("\uD83D\uDE80 ok");
        byte[] twice = new byte[cesu.length * 2];
        System.arraycopy(cesu, 0, twice, 0, cesu.length);
        System.arraycopy(cesu, 0, twice, cesu.length, cesu.length);
        assertThat(new String(Unicode.wellFormed(twice), StandardCharsets.UTF_8))
                .isEqualTo("\uD83D\uDE80 ok\uD83D\uDE80 ok");
        // a high surrogate alone, or a low before a high, is still malformed
        byte[] lone = {'a', (byte) 0xed, (byte) 0xa0, (byte) 0xbd, 'b'};
        assertThat(new String(Unicode.wellFormed(lone), StandardCharsets.UTF_8))
                .isEqualTo(new String(lone, StandardCharsets.UTF_8));
        byte[] swapped = {(byte) 0xed, (byte) 0xba, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0xbd};
        assertThat(new String(Unicode.wellFormed(swapped), StandardCharsets.UTF_8))
                .doesNotContain("\uD83D\uDE80")
                .contains("\uFFFD");
    }

    @Test
    void the_validator_agrees_with_javas_decoder_on_random_bytes() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            byte[] b = new byte[r.nextInt(8)];
            for (int j = 0; j < b.length; j++) b[j] = (byte) (r.nextBoolean() ? r.nextInt(256) : 0x80 + r.nextInt(64));
            boolean decodes =
                    java.util.Arrays.equals(new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), b);
            assertThat(Unicode.isUtf8(b))
                    .as("seed %d: %s", seed, java.util.Arrays.toString(b))
                    .isEqualTo(decodes);
        }
    }

    @Test
    void the_canonical_event_holds_no_lone_surrogate() throws Exception {
        var props = EventJson.MAPPER.createObjectNode();
        props.putArray("v").add("\udcbf\udfff");
        props.put("k\ud800", "x");
        Event e = new Event(
                "id",
                "track",
                "Poison\ud800",
                "u",
                null,
                null,
                null,
                java.time.Instant.EPOCH,
                null,
                java.time.Instant.EPOCH,
                "s",
                props,
                null,
                null);
        String json = new String(EventJson.toBytes(e), StandardCharsets.UTF_8);
        assertThat(json)
                .doesNotContain("\\ud", "\\uD")
                .contains("\"Poison\uFFFD\"", "[\"\uFFFD\uFFFD\"]", "\"k\uFFFD\"");
    }

    @Test
    void decimals_keep_every_digit_the_client_sent() throws Exception {
        var n = EventJson.MAPPER.readTree("{\"pi\":3.14159265358979323846264338327950288,\"big\":1e400,\"neg\":-0.0}");
        var e = new Event(
                "id",
                "track",
                "N",
                "u",
                null,
                null,
                null,
                java.time.Instant.EPOCH,
                null,
                java.time.Instant.EPOCH,
                "s",
                (com.fasterxml.jackson.databind.node.ObjectNode) n,
                null,
                null);
        String json = new String(EventJson.toBytes(e), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("3.14159265358979323846264338327950288")
                .contains("1E+400")
                .contains(
                        "\"neg\":0.0"); // a decimal has no negative zero: the one sign a decimal drops (docs/schema.md)
    }
}
