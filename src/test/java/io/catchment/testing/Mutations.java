package io.catchment.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded mutation sweep over a fuzz target's corpus, for every build (Jazzer's coverage-guided fuzzing runs only
 * with {@code JAZZER_FUZZ=1}): each seed input is mutated {@code count} times (bit flips, byte changes, inserted
 * JSON tokens and digits, deleted, duplicated and repeated ranges, truncation; one to four at a time) and handed to
 * the target. Deterministic: the seed is {@value #DEFAULT_SEED} unless {@code -Dcatchment.fuzz.seed=N}, the count
 * is the caller's unless {@code -Dcatchment.fuzz.mutations=N}; a failure names the seed, file and mutation, with the
 * input in base64, so it can be replayed and then kept as a regression input. A target that hangs fails the sweep
 * after {@code timeout}.
 */
public final class Mutations {
    public static final long DEFAULT_SEED = 17;
    private static final byte[][] TOKENS = bytes(
            "{",
            "}",
            "[",
            "]",
            "\"",
            ":",
            ",",
            "\\",
            "\\u",
            "\\ud800",
            "null",
            "true",
            "-",
            "0",
            "1e999999999",
            "9".repeat(1200),
            "0.4e006699999999999999999999",
            "{\"a\":",
            "[[[[[[[[",
            "\n",
            "\r\n",
            "=",
            "&",
            "%",
            "+",
            "/",
            "data=",
            "\u00ff",
            "\u0000",
            "\uffff");

    @FunctionalInterface
    public interface Target {
        void run(byte[] input) throws Throwable;
    }

    private Mutations() {}

    /** The files of a corpus directory on the test classpath ({@code /pkg/ClassInputs/method}), sorted. */
    public static List<Path> corpus(Class<?> test, String method) {
        String dir = test.getSimpleName() + "Inputs/" + method;
        URL url = test.getResource(dir);
        if (url == null) throw new IllegalStateException("no corpus " + dir + " next to " + test.getName());
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code target} on {@code count} mutations of each corpus file; returns how many inputs ran. */
    public static int sweep(List<Path> corpus, int count, Duration timeout, Target target) {
        long seed = Long.getLong("catchment.fuzz.seed", DEFAULT_SEED);
        int n = Integer.getInteger("catchment.fuzz.mutations", count);
        String[] current = {"(none yet)"};
        int[] ran = {0};
        assertTimeoutPreemptively(
                timeout,
                () -> {
                    for (Path file : corpus) {
                        byte[] original = Files.readAllBytes(file);
                        Random random =
                                new Random(seed ^ file.getFileName().toString().hashCode());
                        for (int i = 0; i < n; i++) {
                            byte[] input = mutate(original, random);
                            current[0] = "seed " + seed + ", " + file.getFileName() + ", mutation " + i + ": "
                                    + preview(input);
                            try {
                                target.run(input);
                            } catch (Throwable t) {
                                Path saved = save(file, seed, i, input);
                                throw new AssertionError(
                                        "the target broke its contract on -Dcatchment.fuzz.seed=" + current[0]
                                                + "\n(the input is saved as " + saved + "; once fixed, keep it next to "
                                                + file.toString().replace("target/test-classes", "src/test/resources")
                                                + ")",
                                        t);
                            }
                            ran[0]++;
                        }
                    }
                },
                () -> "the target did not finish within " + timeout + "; the input then: -Dcatchment.fuzz.seed="
                        + current[0]);
        return ran[0];
    }

    /** Saves a failing input under target/fuzz-findings, to be kept in the corpus once fixed. */
    private static Path save(Path seedFile, long seed, int i, byte[] input) {
        try {
            Path dir = Path.of(
                    "target",
                    "fuzz-findings",
                    seedFile.getParent().getFileName().toString());
            Files.createDirectories(dir);
            return Files.write(dir.resolve(seedFile.getFileName() + "-seed" + seed + "-" + i), input)
                    .toAbsolutePath();
        } catch (IOException e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
    }

    private static String preview(byte[] input) {
        String b64 = Base64.getEncoder().encodeToString(input);
        return b64.length() <= 600 ? b64 : b64.substring(0, 600) + "… (" + input.length + " bytes)";
    }

    /** One to four mutations of {@code in}. */
    public static byte[] mutate(byte[] in, Random r) {
        byte[] b = in;
        int times = 1 + r.nextInt(4);
        for (int t = 0; t < times; t++) b = mutateOnce(b, r);
        return b;
    }

    private static byte[] mutateOnce(byte[] b, Random r) {
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        switch (r.nextInt(8)) {
            case 0 -> {
                if (b.length == 0) return b;
                byte[] c = b.clone();
                c[at] ^= (byte) (1 << r.nextInt(8));
                return c;
            }
            case 1 -> {
                if (b.length == 0) return b;
                byte[] c = b.clone();
                c[at] = (byte) r.nextInt(256);
                return c;
            }
            case 2 -> {
                return splice(b, at, at, TOKENS[r.nextInt(TOKENS.length)]);
            }
            case 3 -> {
                int len = Math.min(b.length - at, 1 + r.nextInt(16));
                return splice(b, at, at + len, new byte[0]);
            }
            case 4 -> {
                int len = Math.min(b.length - at, 1 + r.nextInt(32));
                return splice(b, at, at, java.util.Arrays.copyOfRange(b, at, at + len));
            }
            case 5 -> {
                return java.util.Arrays.copyOf(b, at);
            }
            case 6 -> {
                int len = Math.min(b.length - at, 1 + r.nextInt(4));
                byte[] unit = java.util.Arrays.copyOfRange(b, at, at + len);
                int reps = 1 + r.nextInt(1100);
                byte[] many = new byte[unit.length * reps];
                for (int i = 0; i < reps; i++) System.arraycopy(unit, 0, many, i * unit.length, unit.length);
                return splice(b, at, at, many);
            }
            default -> {
                byte[] digits = new byte[1 + r.nextInt(3)];
                for (int i = 0; i < digits.length; i++) digits[i] = (byte) ('0' + r.nextInt(10));
                return splice(b, at, at, digits);
            }
        }
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] c = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, c, 0, from);
        System.arraycopy(insert, 0, c, from, insert.length);
        System.arraycopy(b, to, c, from + insert.length, b.length - to);
        return c;
    }

    private static byte[][] bytes(String... s) {
        List<byte[]> out = new ArrayList<>();
        for (String t : s) out.add(t.getBytes(StandardCharsets.UTF_8));
        out.add(new byte[] {(byte) 0xff});
        out.add(new byte[] {(byte) 0xc3});
        out.add(new byte[] {(byte) 0x1f, (byte) 0x8b});
        return out.toArray(new byte[0][]);
    }
}
