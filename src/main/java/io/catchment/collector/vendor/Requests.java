package io.catchment.collector.vendor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.catchment.collector.Bodies;
import io.catchment.collector.HttpProblem;
import io.catchment.event.EventJson;
import io.catchment.event.ParseErrors;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Request reading shared by the vendor endpoints: bounded bodies, gzip, form fields, base64, JSON. */
final class Requests {
    private Requests() {}

    /**
     * The body within {@code limit} bytes (on the wire and decoded), gzip-decoded when the header or the magic bytes
     * say so. A body over the limit is refused with {@code tooLarge}'s answer.
     */
    static byte[] body(Context ctx, long limit, Function<String, HttpProblem> tooLarge) throws IOException {
        try {
            byte[] wire = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), limit);
            return Bodies.decode(wire, ctx.header("Content-Encoding"), limit);
        } catch (HttpProblem p) {
            if (p.status() == 413) throw tooLarge.apply(p.getMessage());
            throw p;
        }
    }

    private static final java.util.regex.Pattern HOST =
            java.util.regex.Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?" + "|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

    /**
     * The scheme and host the client reached Catchment through ({@code https://events.example.com}): the first
     * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} when a proxy in front set them, else the connection's
     * scheme and the {@code Host} header. A value that is not a host name, an address or a port is ignored.
     */
    static String origin(Context ctx) {
        String proto = first(ctx.header("X-Forwarded-Proto"));
        if (!"http".equalsIgnoreCase(proto) && !"https".equalsIgnoreCase(proto)) proto = ctx.scheme();
        String host = first(ctx.header("X-Forwarded-Host"));
        if (host == null || !HOST.matcher(host).matches()) host = ctx.host();
        if (host == null || !HOST.matcher(host).matches()) host = "127.0.0.1:" + ctx.port();
        return proto.toLowerCase(java.util.Locale.ROOT) + "://" + host;
    }

    private static String first(String header) {
        if (header == null) return null;
        int comma = header.indexOf(',');
        return (comma < 0 ? header : header.substring(0, comma)).trim();
    }

    /** Parses {@code application/x-www-form-urlencoded} fields. */
    static Map<String, String> form(byte[] body) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = new String(body, StandardCharsets.ISO_8859_1);
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(
                        URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                out.putIfAbsent(k, v);
            }
        }
        return out;
    }

    /** Whether the body looks like form fields rather than JSON. */
    static boolean isForm(Context ctx, byte[] body) {
        String type = ctx.contentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return true;
        }
        int i = 0;
        while (i < body.length && Character.isWhitespace(body[i])) i++;
        return i + 5 <= body.length && new String(body, i, 5, StandardCharsets.US_ASCII).equals("data=");
    }

    /** Base64 (standard or URL-safe, padding optional, spaces read as {@code +}); null when it is not base64. */
    static byte[] base64(String s) {
        String t = s.trim().replace(' ', '+').replace("\n", "").replace("\r", "");
        try {
            return Base64.getDecoder().decode(pad(t));
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(pad(t));
            } catch (IllegalArgumentException e2) {
                return null;
            }
        }
    }

    private static String pad(String t) {
        int rem = t.length() % 4;
        return rem == 0 ? t : t + "=".repeat(4 - rem);
    }

    /** Parses JSON, or throws {@code bad}'s answer naming the problem. */
    static JsonNode json(byte[] bytes, Function<String, HttpProblem> bad) {
        try (JsonParser p = EventJson.MAPPER.createParser(io.catchment.event.Unicode.wellFormed(bytes))) {
            JsonNode n;
            try {
                n = EventJson.MAPPER.readTree(p);
            } catch (JsonProcessingException e) { // a limit (a number of 1,001 digits) has no location: name the field
                throw bad.apply(ParseErrors.describe(e, p));
            }
            if (n == null || n.isMissingNode()) throw bad.apply("the body is empty");
            return n;
        } catch (IOException e) {
            throw bad.apply("cannot read the body: " + e.getMessage());
        }
    }

    /** Parses NDJSON lines into an array node (for Mixpanel's import). */
    static JsonNode ndjson(byte[] bytes, Function<String, HttpProblem> bad) {
        var array = EventJson.MAPPER.createArrayNode();
        int start = 0;
        int line = 1;
        for (int i = 0; i <= bytes.length; i++) {
            if (i < bytes.length && bytes[i] != '\n') continue;
            String text = new String(bytes, start, i - start, StandardCharsets.UTF_8).trim();
            if (!text.isEmpty()) {
                try (JsonParser p = EventJson.MAPPER.createParser(text)) {
                    try {
                        JsonNode n = EventJson.MAPPER.readTree(p);
                        array.add(n);
                    } catch (JsonProcessingException e) {
                        throw bad.apply(
                                (ParseErrors.isLimit(e)
                                        ? "line " + line + ", " + ParseErrors.describe(e, p)
                                        : "malformed JSON on line " + line + ": " + e.getOriginalMessage()));
                    }
                } catch (IOException e) {
                    throw bad.apply("cannot read line " + line + ": " + e.getMessage());
                }
            }
            start = i + 1;
            line++;
        }
        return array;
    }
}
