package io.catchment.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The server's settings: where it listens (port, host, TLS), where its data lives, who may call it (keys, CORS) and
 * what it accepts (connections, request and event sizes). Part of {@link Settings#ALL}.
 */
public final class ServerSettings {
    private ServerSettings() {}

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-.~]{8,200}");
    private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_\\-.]{1,100}");

    public static final Setting<Integer> PORT =
            new Setting<>("port", "8080", "HTTP port (0 picks a free port)", Setting.intRange(0, 65535));
    public static final Setting<String> HOST =
            new Setting<>("host", "0.0.0.0", "address to listen on", Settings::nonEmpty);
    public static final Setting<Path> DATA_DIR = new Setting<>(
            "data_dir",
            "./data",
            "where the log, the DuckDB store and generated keys live",
            s -> Path.of(Settings.nonEmpty(s)));
    public static final Setting<Map<String, String>> WRITE_KEYS = new Setting<>(
            "write_keys",
            "",
            "comma-separated ingestion keys, 'key' or 'key=source'; generated on first start when empty",
            ServerSettings::writeKeys);
    public static final Setting<String> ADMIN_KEY = new Setting<>(
            "admin_key",
            "",
            "key for SQL and admin endpoints; generated on first start when empty",
            s -> s.isEmpty() ? "" : key(s));
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = new Setting<>(
            "http.idle_timeout",
            "30s",
            "a connection idle this long, or a request whose body read waits this long for a byte, is closed (408)",
            Setting.duration());
    public static final Setting<Long> HTTP_MIN_REQUEST_RATE = new Setting<>(
            "http.min_request_rate",
            "1KB",
            "slowest request body accepted, in bytes per second since the request began; slower gets 408 (0: no minimum)",
            s -> s.strip().equals("0") ? 0L : Setting.size(1).apply(s));
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS = new Setting<>(
            "http.max_connections",
            "2000",
            "connections held at once; past it new ones wait in the operating system's accept queue",
            Setting.intRange(16, 1_000_000));
    public static final Setting<Integer> HTTP_MAX_THREADS = new Setting<>(
            "http.max_threads",
            "250",
            "HTTP worker threads; with limits.max_request_bytes they bound the memory request bodies can hold",
            Setting.intRange(16, 10_000));
    public static final Setting<List<String>> CORS_ALLOWED_ORIGINS = new Setting<>(
            "cors.allowed_origins",
            "*",
            "origins whose pages may send events from a browser, comma-separated (scheme://host[:port]); * for any",
            ServerSettings::origins);
    public static final Setting<List<String>> CORS_ADMIN_ORIGINS = new Setting<>(
            "cors.admin_origins",
            "",
            "origins whose pages may call the query and admin endpoints (with the admin key); none by default",
            ServerSettings::origins);
    public static final Setting<Long> MAX_REQUEST_BYTES = new Setting<>(
            "limits.max_request_bytes",
            "1MB",
            "largest request body, checked on the wire and again after gzip decoding",
            Setting.size(1024));
    public static final Setting<Long> MAX_EVENT_BYTES =
            new Setting<>("limits.max_event_bytes", "32KB", "largest single event", Setting.size(64));
    public static final Setting<Double> EVENTS_PER_SECOND = new Setting<>(
            "limits.events_per_second",
            "0",
            "events accepted per second from one source (its write keys), with one second of burst; past it 429 with "
                    + "Retry-After (0: no limit)",
            ServerSettings::rate);
    public static final Setting<String> TLS_CERT = new Setting<>(
            "tls.cert",
            "",
            "PEM certificate (chain) for HTTPS; with tls.key, Catchment also listens on tls.port",
            s -> s);
    public static final Setting<String> TLS_KEY =
            new Setting<>("tls.key", "", "PEM private key (PKCS#8, RSA or EC) of tls.cert", s -> s);
    public static final Setting<Boolean> TLS_SELF_SIGNED = new Setting<>(
            "tls.self_signed",
            "false",
            "serve HTTPS with a self-signed development certificate for localhost/127.0.0.1, created in DATA_DIR/tls "
                    + "(trust DATA_DIR/tls/dev-cert.pem in clients)",
            Settings::bool);
    public static final Setting<Integer> TLS_PORT = new Setting<>(
            "tls.port",
            "8443",
            "HTTPS port when TLS is on (0 picks a free port); plain HTTP stays on port",
            Setting.intRange(0, 65535));

    private static double rate(String s) {
        double r;
        try {
            r = Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number of events per second");
        }
        if (!(r >= 0) || Double.isInfinite(r)) throw new IllegalArgumentException("must be 0 or more (got " + s + ")");
        return r;
    }

    private static List<String> origins(String s) {
        List<String> out = new ArrayList<>();
        for (String o : s.split(",")) {
            String t = o.strip().replaceAll("/+$", "");
            if (t.isEmpty()) continue;
            if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("'" + t + "' is not an origin (scheme://host[:port], or *)");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    static String key(String k) {
        if (!KEY.matcher(k).matches()) {
            throw new IllegalArgumentException("a key must be 8 to 200 characters of letters, digits and _-.~ (got "
                    + k.length() + " characters)");
        }
        return k;
    }

    private static Map<String, String> writeKeys(String s) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (s.isEmpty()) return keys;
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            String k = key(eq < 0 ? p : p.substring(0, eq).trim());
            String source = eq < 0 ? "default" : p.substring(eq + 1).trim();
            if (!SOURCE.matcher(source).matches()) {
                throw new IllegalArgumentException(
                        "source name '" + source + "' must be 1 to 100 letters, digits or _-.");
            }
            if (keys.put(k, source) != null) throw new IllegalArgumentException("key listed twice");
        }
        return keys;
    }
}
