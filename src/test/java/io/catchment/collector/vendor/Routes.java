package io.catchment.collector.vendor;

import io.catchment.collector.Auth;
import io.catchment.collector.Collector;
import io.catchment.collector.HttpProblem;
import io.catchment.log.EventLog;
import io.catchment.metrics.Metrics;
import io.javalin.http.Context;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ingestion routes of {@code Server} called in-process: the same handler methods, given a stand-in for Javalin's
 * {@link Context} (the handful of its methods they use) and a real {@link Collector} over a log kept in memory. A
 * request is written as HTTP is, without the version: {@code POST /track?ip=0}, header lines, a blank line, the body
 * (any bytes). What the handler throws, bar {@link HttpProblem}, comes out of {@link #call} as it is.
 */
final class Routes {
    static final Map<String, String> KEYS = Map.of(
            "SEGMENT_WRITE_KEY",
            "segment",
            "AMPLITUDE_API_KEY",
            "amplitude",
            "MIXPANEL_PROJECT_TOKEN",
            "mixpanel",
            "phc_PROJECT_API_KEY",
            "posthog",
            "NATIVE_WRITE_KEY",
            "native");
    private static final List<String> SEGMENT = List.of("track", "identify", "page", "screen", "group", "alias");
    private static final List<String> POSTHOG = List.of("/batch", "/capture", "/e", "/i/v0/e", "/track", "/engage");

    /** A request: method, path, decoded query parameters, headers (lower-case names) and body. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        Request withPath(String p) {
            return new Request(method, p, query, headers, body);
        }
    }

    /** The status and body (or {@link HttpProblem}'s message) of an answer. */
    record Answer(int status, String body) {}

    final AtomicLong records = new AtomicLong();
    private final Collector collector;
    private final SegmentApi segment;
    private final AmplitudeApi amplitude;
    private final MixpanelApi mixpanel;
    private final PostHogApi posthog;
    private final PostHogBootstrap bootstrap;

    Routes() {
        Auth auth = new Auth(KEYS, "admin-key");
        collector = new Collector(new MemoryLog(records), auth, new Metrics(), 10L << 20, 256 * 1024);
        segment = new SegmentApi(collector, auth);
        amplitude = new AmplitudeApi(collector, auth);
        mixpanel = new MixpanelApi(collector, auth);
        posthog = new PostHogApi(collector, auth, amplitude, mixpanel);
        bootstrap = new PostHogBootstrap(auth);
    }

    static boolean isSegment(String path) {
        String p = trim(path);
        return p.startsWith("/v1/")
                && (SEGMENT.contains(p.substring(4)) || p.equals("/v1/batch") || p.equals("/v1/import"));
    }

    static boolean isPostHog(String path) {
        return POSTHOG.contains(trim(path));
    }

    /** Calls the route of the request's path; an {@link HttpProblem} is an answer, anything else is thrown. */
    Answer call(Request r) throws Exception {
        Map<String, String> result = new LinkedHashMap<>();
        Context ctx = context(r, result);
        String p = trim(r.path());
        try {
            if (p.equals("/v1/events")) {
                collector.events(ctx);
            } else if (isSegment(p)) {
                String type = p.substring(4);
                segment.handle(ctx, type.equals("batch") || type.equals("import") ? null : type);
            } else if (p.equals("/2/httpapi")) {
                amplitude.httpApi(ctx);
            } else if (p.equals("/import")) {
                mixpanel.importEvents(ctx);
            } else if (isPostHog(p)) {
                posthog.handle(ctx);
            } else if (p.equals("/flags") || p.equals("/decide")) {
                bootstrap.flags(ctx);
            } else {
                return new Answer(404, "no such route: " + r.path());
            }
        } catch (HttpProblem e) {
            return new Answer(e.status(), e.getMessage());
        } catch (NumberFormatException e) { // Server answers it 400 bad_number: a number no decimal holds
            return new Answer(400, "a number in the request cannot be read: " + e.getMessage());
        }
        return new Answer(200, result.get("result"));
    }

    private static String trim(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** Reads a request written as HTTP: request line, headers, blank line, body. Lenient: any bytes make a request. */
    static Request parse(byte[] in) {
        int head = indexOf(in, "\n\n".getBytes(StandardCharsets.ISO_8859_1));
        int crlf = indexOf(in, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        int bodyAt;
        if (crlf >= 0 && (head < 0 || crlf < head)) {
            head = crlf;
            bodyAt = crlf + 4;
        } else {
            bodyAt = head < 0 ? in.length : head + 2;
            if (head < 0) head = in.length;
        }
        String[] lines = new String(in, 0, head, StandardCharsets.UTF_8).split("\r?\n", -1);
        String[] line = lines[0].split(" ", -1);
        String method = line.length > 1 ? line[0] : "POST";
        String target = line.length > 1 ? line[1] : line[0];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.putIfAbsent(
                        decode(eq < 0 ? pair : pair.substring(0, eq)), decode(eq < 0 ? "" : pair.substring(eq + 1)));
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0)
                headers.putIfAbsent(
                        lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(c + 1).trim());
        }
        return new Request(
                method, path, query, headers, Arrays.copyOfRange(in, Math.min(bodyAt, in.length), in.length));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // as Jetty would refuse it before any handler: the raw text still makes a request
        }
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                if (a[i + k] != b[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static Context context(Request r, Map<String, String> result) {
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(
                Routes.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getInputStream" -> new BodyStream(r.body());
                    case "getContentLengthLong" -> (long) r.body().length;
                    case "getContentLength" -> r.body().length;
                    case "getHeader" -> r.headers().get(((String) args[0]).toLowerCase(Locale.ROOT));
                    case "getMethod" -> r.method();
                    default -> throw new UnsupportedOperationException("HttpServletRequest." + m.getName());
                });
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(
                Routes.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, m, args) -> switch (m.getName()
                        + "/" + (args == null ? 0 : args.length)) {
                    case "req/0" -> req;
                    case "path/0" -> r.path();
                    case "queryParam/1" -> r.query().get((String) args[0]);
                    case "header/1" -> r.headers().get(((String) args[0]).toLowerCase(Locale.ROOT));
                    case "contentType/0" -> r.headers().get("content-type");
                    case "contentType/1" -> self[0];
                    case "result/1" -> {
                        result.put("result", String.valueOf(args[0]));
                        yield self[0];
                    }
                    case "toString/0" -> "Context " + r.method() + " " + r.path();
                    case "hashCode/0" -> System.identityHashCode(proxy);
                    case "equals/1" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("Context." + m.getName());
                });
        return (Context) self[0];
    }

    private static final class BodyStream extends ServletInputStream {
        private final ByteArrayInputStream in;

        BodyStream(byte[] body) {
            in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener l) {
            throw new UnsupportedOperationException();
        }
    }

    /** Counts appended records and keeps none. */
    private record MemoryLog(AtomicLong records) implements EventLog {
        @Override
        public long append(byte[] record) {
            return records.getAndIncrement();
        }

        @Override
        public List<LogRecord> read(long from, int max, Duration wait) {
            return List.of();
        }

        @Override
        public void commit(long next) {}

        @Override
        public long committedOffset() {
            return 0;
        }

        @Override
        public long endOffset() {
            return records.get();
        }

        @Override
        public long startOffset() {
            return 0;
        }

        @Override
        public long sizeBytes() {
            return 0;
        }

        @Override
        public boolean healthy() {
            return true;
        }

        @Override
        public void close() {}
    }
}
