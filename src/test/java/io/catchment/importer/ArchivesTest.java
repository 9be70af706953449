package io.catchment.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class ArchivesTest {
    private static byte[] zip(String... names) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (String n : names) {
                z.putNextEntry(new ZipEntry(n));
                z.write(("{\"event\":\"" + n + "\"}\n").getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static List<String> members(byte[] zip) throws Exception {
        List<String> out = new ArrayList<>();
        Archives.walk(
                "x.zip", new ByteArrayInputStream(zip), (name, in) -> out.add(name + " " + in.readAllBytes().length));
        return out;
    }

    @Test
    void a_zip_member_whose_name_is_not_utf8_is_read_with_its_bad_bytes_as_question_marks() throws Exception {
        // found by fuzzing: the JDK's strict name decoding threw IllegalArgumentException and aborted the whole import
        byte[] z = zip("a\u00e9.json", "b.json");
        int at = new String(z, StandardCharsets.ISO_8859_1).indexOf("a\u00c3\u00a9.json");
        z[at + 1] = (byte) 0xff; // the UTF-8 flag is set (Java sets it), the name is not UTF-8
        assertThat(members(z)).containsExactly("x.zip!a??.json 21", "x.zip!b.json 19");
    }

    @Test
    void a_zip_of_valid_names_reads_as_before() throws Exception {
        assertThat(members(zip("2024/é.json", "b.json"))).containsExactly("x.zip!2024/é.json 25", "x.zip!b.json 19");
    }

    @Test
    void only_invalid_utf8_bytes_are_replaced() {
        byte[] b = {
            'a',
            (byte) 0xc3,
            (byte) 0xa9,
            (byte) 0xed,
            (byte) 0xa0,
            (byte) 0x80,
            (byte) 0xf0,
            (byte) 0x9f,
            (byte) 0x98,
            (byte) 0x80,
            (byte) 0xc0,
            (byte) 0xaf,
            'z'
        };
        LenientZipInputStream.replaceInvalidUtf8(b, 0, b.length);
        assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("aé???😀??z");
    }
}
