package io.catchment.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name in the YAML file, its environment variable, default, description and parser,
 * declared together. The parser throws {@link IllegalArgumentException} with a human message on bad input.
 */
public record Setting<T>(String key, String defaultValue, String description, Function<String, T> parser) {

    public String env() {
        return "CATCHMENT_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public T parse(String raw, String origin) {
        try {
            return parser.apply(raw == null ? null : raw.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid " + key + " (from " + origin + "): " + e.getMessage());
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?i?b?)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    public static Function<String, Integer> intRange(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
            if (v < min || v > max) throw new IllegalArgumentException(v + " is outside " + min + ".." + max);
            return v;
        };
    }

    /** Parses {@code 1048576}, {@code 64KB}, {@code 1 MB}, {@code 10GiB}; units are powers of 1024. */
    public static Function<String, Long> size(long min) {
        return s -> {
            Matcher m = SIZE.matcher(s);
            if (!m.matches())
                throw new IllegalArgumentException("'" + s + "' is not a size like 1048576, 512KB or 1GB");
            long v = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
            int shift = unit.isEmpty() || unit.equals("b")
                    ? 0
                    : switch (unit.charAt(0)) {
                        case 'k' -> 10;
                        case 'm' -> 20;
                        case 'g' -> 30;
                        default -> 40;
                    };
            long bytes = v << shift;
            if (bytes < min) throw new IllegalArgumentException(s + " is below the minimum of " + min + " bytes");
            return bytes;
        };
    }

    /** A {@link #duration()} from {@code min} to {@code max}; {@code why} says where the bounds come from. */
    public static Function<String, Duration> durationRange(Duration min, Duration max, String why) {
        Function<String, Duration> parse = duration();
        return s -> {
            Duration d = parse.apply(s);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0)
                throw new IllegalArgumentException(
                        s + " is outside " + text(min) + ".." + text(max) + " (" + why + ")");
            return d;
        };
    }

    /** A {@link #durationRange} in whole seconds. */
    public static Function<String, Duration> seconds(Duration min, Duration max, String why) {
        Function<String, Duration> range = durationRange(min, max, why);
        return s -> {
            Duration d = range.apply(s);
            if (d.toMillis() % 1000 != 0) throw new IllegalArgumentException(s + " is not whole seconds");
            return d;
        };
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}; a bare number is seconds. */
    public static Function<String, Duration> duration() {
        return s -> {
            Matcher m = DURATION.matcher(s);
            if (!m.matches())
                throw new IllegalArgumentException("'" + s + "' is not a duration like 500ms, 30s, 5m or 1h");
            long v = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(v);
                case "m" -> Duration.ofMinutes(v);
                case "h" -> Duration.ofHours(v);
                case "d" -> Duration.ofDays(v);
                default -> Duration.ofSeconds(v);
            };
        };
    }
}
