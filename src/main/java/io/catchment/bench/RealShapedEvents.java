package io.catchment.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded events shaped like real product events rather than like a load test's: 16 event types, each with its own
 * schema of 100 to 500 leaf fields nested up to 7 levels deep, of which an event carries a skewed share (common fields
 * nearly always, rare ones seldom, so a type's table grows to hundreds of columns); arrays of objects; user-written
 * text of several lines with CRLF, tabs, quotes, emoji and other scripts; about 1 value in 100 of a numeric field sent
 * as text (a type that changes across events); about 2.3 KB per event. The schemas depend on the type only (the same
 * for every generator), the values on the seed. Not thread-safe: one generator per thread.
 */
public final class RealShapedEvents implements Batches {
    static final int TYPES = 16;
    private static final String[] WORDS = {
        "order",
        "cart",
        "item",
        "price",
        "user",
        "session",
        "page",
        "video",
        "plan",
        "billing",
        "address",
        "device",
        "screen",
        "campaign",
        "referrer",
        "experiment",
        "variant",
        "feature",
        "error",
        "search",
        "filter",
        "coupon",
        "shipping",
        "payment",
        "review",
        "rating",
        "tier",
        "locale",
        "region",
        "app"
    };
    private static final String[] TEXT = {
        "Thanks for the quick reply!",
        "It crashed again 😡 when I tapped \"Pay\"",
        "Order #1234 never arrived.\r\nCan you check?",
        "Très bien, merci 👍",
        "数据导出失败，请帮忙看看",
        "ok",
        "Steps:\r\n1. open app\r\n2. tap ⚙️\r\n3.\tnothing happens",
        "Price shows $0.00 — bug?",
        "🚀🚀🚀",
        "Can't log in since the update\r\n\r\n-- sent from my phone"
    };
    private static final Schema[] SCHEMAS = schemas();
    private final SplittableRandom random;
    private final String runId;
    private long seq;

    /** One leaf: its path of keys, its kind, and how often an event of its type carries it. */
    private record Leaf(String[] path, char kind, double share) {}

    private record Schema(String name, List<Leaf> leaves) {}

    public RealShapedEvents(long seed) {
        this.random = new SplittableRandom(seed);
        this.runId = "r" + Long.toHexString(seed) + "-" + Long.toHexString(System.nanoTime() & 0xffffffffL);
    }

    private static Schema[] schemas() {
        Schema[] out = new Schema[TYPES];
        for (int t = 0; t < TYPES; t++) {
            SplittableRandom r = new SplittableRandom(1000 + t);
            int leaves = 100 + r.nextInt(401);
            List<Leaf> list = new ArrayList<>(leaves);
            for (int i = 0; i < leaves; i++) {
                int depth = 1 + (i % 7 == 0 ? 6 : r.nextInt(4)); // every 7th leaf 7 levels deep
                String[] path = new String[depth];
                for (int d = 0; d < depth - 1; d++) path[d] = WORDS[(i / (d + 2) + d * 7 + t) % WORDS.length];
                path[depth - 1] = WORDS[r.nextInt(WORDS.length)] + "_" + i;
                char kind =
                        "ssssnnfbtaT".charAt(r.nextInt(11)); // string, int, float, bool, time, array of objects, text
                double share = i < 20 ? 0.95 : Math.min(0.9, 3.0 / (i - 10)); // a long tail of rare fields
                list.add(new Leaf(path, kind, share));
            }
            out[t] = new Schema(
                    WORDS[t] + " " + WORDS[(t * 7 + 3) % WORDS.length] + " " + (t % 2 == 0 ? "Viewed" : "Updated"),
                    list);
        }
        return out;
    }

    @Override
    public int typicalBytes() {
        return 2400;
    }

    @Override
    public void next(StringBuilder b) {
        Schema s = SCHEMAS[random.nextInt(TYPES)];
        long n = seq++;
        b.append("{\"messageId\":\"")
                .append(runId)
                .append('-')
                .append(n)
                .append("\",\"type\":\"track\",\"event\":\"")
                .append(s.name())
                .append("\",\"userId\":\"user-")
                .append(random.nextInt(50_000))
                .append("\",\"timestamp\":\"")
                .append(Instant.ofEpochMilli(1_700_000_000_000L + n * 41))
                .append("\",\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"5.2.")
                .append(random.nextInt(9))
                .append("\"},\"page\":{\"path\":\"/p/")
                .append(random.nextInt(300))
                .append("\",\"title\":\"Shop – ")
                .append(WORDS[random.nextInt(WORDS.length)])
                .append(
                        "\"},\"userAgent\":\"Mozilla/5.0 (Macintosh; Intel Mac OS X"
                                + " 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15\",\"locale\":\"en-GB\"},")
                .append("\"properties\":");
        properties(b, s);
        b.append('}');
    }

    /** The leaves this event carries, as nested objects (leaves are grouped by their path, so siblings share parents). */
    private void properties(StringBuilder b, Schema s) {
        List<Leaf> carried = new ArrayList<>();
        for (Leaf l : s.leaves()) if (random.nextDouble() < l.share()) carried.add(l);
        carried.sort((x, y) -> String.join("\u0000", x.path()).compareTo(String.join("\u0000", y.path())));
        b.append('{');
        String[] open = new String[0];
        boolean first = true;
        for (Leaf l : carried) {
            int common = 0;
            while (common < open.length && common < l.path().length - 1 && open[common].equals(l.path()[common]))
                common++;
            for (int d = open.length; d > common; d--) b.append('}');
            if (open.length > common) first = false;
            for (int d = common; d < l.path().length - 1; d++) {
                b.append(first ? "" : ",").append('"').append(l.path()[d]).append("\":{");
                first = true;
            }
            b.append(first ? "" : ",")
                    .append('"')
                    .append(l.path()[l.path().length - 1])
                    .append("\":");
            value(b, l.kind());
            first = false;
            open = java.util.Arrays.copyOf(l.path(), l.path().length - 1);
        }
        for (int d = open.length; d > 0; d--) b.append('}');
        b.append('}');
    }

    private void value(StringBuilder b, char kind) {
        switch (kind) {
            case 'n' -> {
                if (random.nextInt(100) == 0) {
                    b.append("\"").append(random.nextInt(1000)).append(" units\""); // the type that changes
                } else {
                    b.append(random.nextInt(100_000));
                }
            }
            case 'f' -> b.append(random.nextInt(1_000_000) / 100.0);
            case 'b' -> b.append(random.nextBoolean());
            case 't' ->
                b.append('"')
                        .append(Instant.ofEpochSecond(1_600_000_000L + random.nextInt(100_000_000)))
                        .append('"');
            case 'a' -> {
                b.append('[');
                int items = random.nextInt(4);
                for (int i = 0; i < items; i++) {
                    b.append(i > 0 ? "," : "")
                            .append("{\"sku\":\"sku-")
                            .append(random.nextInt(9999))
                            .append("\",\"qty\":")
                            .append(1 + random.nextInt(3))
                            .append(",\"tags\":[\"")
                            .append(WORDS[random.nextInt(WORDS.length)])
                            .append("\"]}");
                }
                b.append(']');
            }
            case 'T' -> text(b, TEXT[random.nextInt(TEXT.length)] + "\r\n" + TEXT[random.nextInt(TEXT.length)]);
            default ->
                b.append('"')
                        .append(WORDS[random.nextInt(WORDS.length)])
                        .append('-')
                        .append(random.nextInt(5000))
                        .append('"');
        }
    }

    /** A JSON string of user text: quotes, backslashes and control characters escaped. */
    private static void text(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        b.append('"');
    }
}
