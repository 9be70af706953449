package io.catchment.log.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.CatchmentException;
import io.catchment.Main;
import io.catchment.log.EventLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Recovery never deletes acknowledged data: torn tails are trimmed, anything else refuses and is repaired aside. */
@Timeout(60)
class LogRecoveryTest {
    private static final String FIRST = "00000000000000000000.log";

    @TempDir
    Path data;

    private Path logDir() {
        return data.resolve("log");
    }

    private LocalLog open() throws IOException {
        return new LocalLog(logDir(), 4096, 1 << 30, Duration.ZERO);
    }

    /** Copies a checked-in segment into the log directory; returns its original bytes. */
    private byte[] fixture(String name) throws IOException {
        Files.createDirectories(logDir());
        try (var in = getClass().getResourceAsStream("/log/" + name + "/" + FIRST)) {
            byte[] bytes = in.readAllBytes();
            Files.write(logDir().resolve(FIRST), bytes);
            return bytes;
        }
    }

    private static List<String> readAll(EventLog log, long from) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<EventLog.LogRecord> got; !(got = log.read(from, 100, Duration.ZERO)).isEmpty(); ) {
            for (EventLog.LogRecord r : got) {
                String text = new String(r.payload(), StandardCharsets.UTF_8);
                out.add(r.offset() + ":" + text.replaceAll("(?s).*\"id\":\"(\\w+)\".*", "$1"));
                from = r.offset() + 1;
            }
        }
        return out;
    }

    /** Runs {@code catchment ARGS}; returns the exit code and what it printed. */
    private static String[] cli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new String[] {Integer.toString(code), buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(saved);
        }
    }

    private String[] repair(boolean quarantine) {
        return quarantine
                ? cli("log", "repair", "--quarantine", "--data-dir", data.toString())
                : cli("log", "repair", "--data-dir", data.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bad-magic            | 0  | bad magic: expected 43 41 54 4c 4f 47 00 01 (\"CATLOG\\0\\1\"), found 00 00 00 00",
                "future-version       | 7  | segment format version 2, but this Catchment reads version 1",
                "base-offset-mismatch | 8  | base offset mismatch: the file name says 0, the header says 42",
                "mid-segment-crc      | 69 | checksum mismatch: the record header says crc32c",
                "mid-segment-length   | 69 | invalid record length: expected 1..67108864, found 2130706432"
            })
    void damage_that_is_not_a_torn_tail_refuses_to_open_with_the_facts_and_leaves_the_file_unchanged(
            String name, long at, String facts) throws Exception {
        byte[] original = fixture(name);
        assertThatThrownBy(this::open)
                .isInstanceOf(LogCorruptException.class)
                .hasMessageContaining(logDir().resolve(FIRST).toString())
                .hasMessageContaining("damaged at byte " + at + ": ")
                .hasMessageContaining(facts)
                .hasMessageContaining("run `catchment log repair --quarantine --data-dir " + data + "`");
        assertThat(Files.readAllBytes(logDir().resolve(FIRST))).isEqualTo(original);
        assertThat(logDir().resolve("quarantine")).doesNotExist();
    }

    @Test
    void mid_segment_damage_names_the_valid_record_after_it() throws Exception {
        fixture("mid-segment-crc");
        assertThatThrownBy(this::open)
                .hasMessageContaining("a valid record follows at byte 122, so this is not a torn write");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mid-segment-crc", "mid-segment-length"})
    void repair_quarantines_mid_segment_damage_and_the_log_opens_with_every_record_before_it(String name)
            throws Exception {
        byte[] original = fixture(name);
        String[] r = repair(true);
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1])
                .contains("damaged at byte 69")
                .contains("the records from offset 1 on in this segment leave the "
                        + "log and are kept only in the quarantine file")
                .contains("repaired");
        Path bad = logDir().resolve("quarantine/00000000000000000000-69.bad");
        assertThat(Files.readAllBytes(bad)).isEqualTo(Arrays.copyOfRange(original, 69, original.length));
        assertThat(Files.readString(bad.resolveSibling(bad.getFileName() + ".txt")))
                .contains("reason: ")
                .contains("bytes: 69.." + original.length);
        try (LocalLog log = open()) {
            assertThat(readAll(log, 0)).containsExactly("0:e0");
            long next = log.append("after repair".getBytes(StandardCharsets.UTF_8));
            assertThat(next).as("no offset of a quarantined record is reused").isGreaterThan(3);
            assertThat(readAll(log, 1)).containsExactly(next + ":after repair");
        }
        assertThat(repair(true)[1]).contains("0 damaged");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad-magic", "future-version", "base-offset-mismatch"})
    void repair_moves_a_segment_with_a_bad_header_aside_whole(String name) throws Exception {
        byte[] original = fixture(name);
        String[] r = repair(true);
        assertThat(r[0]).isEqualTo("0");
        assertThat(Files.readAllBytes(logDir().resolve("quarantine/00000000000000000000-0.bad")))
                .isEqualTo(original);
        assertThat(logDir().resolve(FIRST)).doesNotExist();
        try (LocalLog log = open()) {
            assertThat(log.append("after repair".getBytes(StandardCharsets.UTF_8)))
                    .isGreaterThan(3);
        }
    }

    @Test
    void a_dry_run_reports_the_damage_exits_1_and_changes_nothing() throws Exception {
        byte[] original = fixture("mid-segment-crc");
        String[] r = repair(false);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1])
                .contains("damaged at byte 69")
                .contains("would copy bytes 69..228")
                .contains("dry run");
        assertThat(Files.readAllBytes(logDir().resolve(FIRST))).isEqualTo(original);
        assertThat(logDir().resolve("quarantine")).doesNotExist();
    }

    @Test
    void repair_of_a_healthy_log_does_nothing_and_exits_0() throws Exception {
        try (LocalLog log = open()) {
            log.append("fine".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(repair(true)).containsExactly("0", "1 segments scanned, 0 damaged\n");
    }

    @Test
    void repair_refuses_while_a_log_has_the_directory_open() throws Exception {
        try (LocalLog log = open()) {
            assertThatThrownBy(() -> new LogRepair(logDir(), s -> {}).run(true))
                    .isInstanceOf(CatchmentException.class)
                    .hasMessageContaining("in use by a running Catchment process");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"torn-tail, 3, 175", "corrupt-tail, 2, 122", "short-header, 0, 0"})
    void torn_tails_are_still_trimmed_and_the_cut_bytes_kept_in_quarantine(String name, int whole, int cut)
            throws Exception {
        byte[] original = fixture(name);
        try (LocalLog log = open()) {
            assertThat(log.endOffset()).isEqualTo(whole);
            assertThat(log.append("next".getBytes(StandardCharsets.UTF_8))).isEqualTo(whole);
        }
        Path torn = logDir().resolve("quarantine/00000000000000000000-" + cut + ".torn");
        assertThat(Files.readAllBytes(torn)).isEqualTo(Arrays.copyOfRange(original, cut, original.length));
    }

    @Test
    void damage_in_an_older_segment_fails_the_read_and_repair_leaves_a_gap_that_reading_skips() throws Exception {
        try (LocalLog log = open()) {
            for (int i = 0; i < 200; i++) log.append(padded(i));
        }
        List<Long> bases = Segment.bases(logDir());
        assertThat(bases.size()).isGreaterThan(2);
        long recordBytes = 8 + padded(0).length; // r0..r99 have the same size
        try (RandomAccessFile f = new RandomAccessFile(logDir().resolve(FIRST).toFile(), "rw")) {
            f.seek(16 + 10 * recordBytes + 12); // in the payload of r10
            f.write('#');
        }
        try (LocalLog log = open()) {
            assertThatThrownBy(() -> readAll(log, 0))
                    .isInstanceOf(LogCorruptException.class)
                    .hasMessageContaining("checksum mismatch in the record of offset 10");
        }
        assertThat(repair(true)[0]).isEqualTo("0");
        try (LocalLog log = open()) {
            List<String> records = readAll(log, 0);
            assertThat(records.subList(0, 10))
                    .containsExactly("0:r0", "1:r1", "2:r2", "3:r3", "4:r4", "5:r5", "6:r6", "7:r7", "8:r8", "9:r9");
            assertThat(records.get(10)).isEqualTo(bases.get(1) + ":r" + bases.get(1));
            assertThat(records).hasSize((int) (200 - bases.get(1) + 10));
            assertThat(readAll(log, 12)).first().isEqualTo(records.get(10));
        }
    }

    private static byte[] padded(int i) {
        return ("{\"id\":\"r" + i + "\",\"pad\":\""
                        + "x".repeat(40 - Integer.toString(i).length()) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void an_older_segment_with_a_bad_header_refuses_to_open() throws Exception {
        try (LocalLog log = open()) {
            for (int i = 0; i < 200; i++) log.append(("record " + i + " " + "x".repeat(40)).getBytes());
        }
        try (RandomAccessFile f = new RandomAccessFile(logDir().resolve(FIRST).toFile(), "rw")) {
            f.write(new byte[8]);
        }
        assertThatThrownBy(this::open)
                .isInstanceOf(LogCorruptException.class)
                .hasMessageContaining(FIRST)
                .hasMessageContaining("bad magic")
                .hasMessageContaining("(not the newest segment)");
    }

    @Test
    void a_reader_inside_the_gap_a_repair_left_waits_for_new_records_instead_of_spinning() throws Exception {
        fixture("mid-segment-crc");
        repair(true);
        try (LocalLog log = open()) {
            long start = System.nanoTime();
            assertThat(log.read(1, 10, Duration.ofMillis(200))).isEmpty();
            assertThat(System.nanoTime() - start)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
        }
    }
}
