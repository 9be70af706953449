package io.catchment.collector;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/**
 * Finds the key of a request: {@code Authorization: Bearer KEY}, or Basic with the key as the user name (the
 * password is ignored). Write keys map to source names; the admin key is separate and only reads and administers.
 */
public final class Auth {
    private final Map<String, String> writeKeys;
    private final byte[] adminKey;

    public Auth(Map<String, String> writeKeys, String adminKey) {
        this.writeKeys = Map.copyOf(writeKeys);
        this.adminKey = adminKey.getBytes(StandardCharsets.UTF_8);
    }

    static String key(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null) return null;
        h = h.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) return h.substring(7).trim();
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded =
                        new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /** The source name of the request's write key; throws 401 when it has none or an unknown one. */
    public String source(Context ctx) {
        String k = key(ctx);
        if (k == null) {
            throw HttpProblem.of(
                    401,
                    "unauthorized",
                    "missing write key: send 'Authorization: Bearer <write key>' "
                            + "or Basic auth with the key as user name");
        }
        String source = writeKeys.get(k);
        if (source == null) throw HttpProblem.of(401, "unauthorized", "unknown write key");
        return source;
    }

    /** The source name of a write key, or null when it is not one. */
    public String sourceOf(String key) {
        return key == null ? null : writeKeys.get(key);
    }

    /** The key in the request's Authorization header (Bearer, or Basic user name), or null. */
    public static String headerKey(Context ctx) {
        return key(ctx);
    }

    public void requireAdmin(Context ctx) {
        String k = key(ctx);
        if (k == null)
            throw HttpProblem.of(401, "unauthorized", "missing admin key: send 'Authorization: Bearer <admin key>'");
        if (!MessageDigest.isEqual(k.getBytes(StandardCharsets.UTF_8), adminKey)) {
            throw HttpProblem.of(
                    403,
                    "forbidden",
                    writeKeys.containsKey(k) ? "a write key cannot read; use the admin key" : "unknown admin key");
        }
    }
}
