package io.catchment.bench;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Seeded synthetic product events in the native format, about 500 bytes each: 30 event names, a user pool, mixed
 * property types (strings, integers, doubles, booleans, nested objects, arrays, timestamps) and a realistic context.
 * Not thread-safe: one generator per thread.
 */
public final class EventGenerator implements Batches {
    static final String[] NAMES = {
        "Page Viewed",
        "Product Viewed",
        "Product Added",
        "Product Removed",
        "Cart Viewed",
        "Checkout Started",
        "Checkout Step Viewed",
        "Payment Info Entered",
        "Order Completed",
        "Order Refunded",
        "Signed Up",
        "Signed In",
        "Signed Out",
        "Search Performed",
        "Filter Applied",
        "Video Played",
        "Video Paused",
        "Video Completed",
        "Share Clicked",
        "Invite Sent",
        "Subscription Started",
        "Subscription Cancelled",
        "Trial Started",
        "Feature Used",
        "Settings Changed",
        "Notification Opened",
        "Coupon Applied",
        "Review Submitted",
        "Wishlist Added",
        "Support Ticket Created"
    };
    private static final String[] PLANS = {"free", "starter", "pro", "enterprise"};
    private static final String[] BROWSERS = {"Chrome", "Firefox", "Safari", "Edge"};
    private final SplittableRandom random;
    private final String runId;
    private long seq;
    /** Events are dated from this instant on (2023-11-14), 37 ms apart; {@link #live()}: each when it is made. */
    private static final long FIRST_MILLIS = 1_700_000_000_000L;

    private boolean live;

    private boolean mixed;
    private int newFieldEvery = 250;

    /**
     * Schema churn: every 250 events (of each of the bench's 8 generators) a new property appears on one event name (from then on
     * that event sends it with a share of events), and 1% of events carry a type conflict (a price as text, a quantity
     * as a fraction).
     */
    /** Dates each event at the moment it is generated (for loads into a store whose reports cover today). */
    public EventGenerator live() {
        this.live = true;
        return this;
    }

    public EventGenerator mixed() {
        return mixed(250);
    }

    /** Mixed mode with a new field every {@code newFieldEvery} events of this generator. */
    public EventGenerator mixed(int newFieldEvery) {
        this.mixed = true;
        this.newFieldEvery = Math.max(1, newFieldEvery);
        return this;
    }

    public EventGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        this.runId = Long.toHexString(seed) + "-" + Long.toHexString(System.nanoTime() & 0xffffffffL);
    }

    @Override
    public void next(StringBuilder b) {
        int nameIdx = random.nextInt(NAMES.length);
        int user = random.nextInt(10_000);
        long s = seq++;
        b.append("{\"messageId\":\"")
                .append(runId)
                .append('-')
                .append(s)
                .append('"')
                .append(",\"type\":\"track\",\"event\":\"")
                .append(NAMES[nameIdx])
                .append('"')
                .append(",\"userId\":\"user-")
                .append(user)
                .append('"')
                .append(",\"timestamp\":\"")
                .append(live ? Instant.now() : Instant.ofEpochMilli(FIRST_MILLIS + s * 37))
                .append('"')
                .append(",\"properties\":{\"product_id\":\"sku-")
                .append(random.nextInt(5000))
                .append('"')
                .append(",\"price\":")
                .append(conflict(0) ? "\"" + random.nextInt(1000) + " USD\"" : random.nextInt(100_000) / 100.0)
                .append(",\"quantity\":")
                .append(conflict(1) ? (random.nextInt(10) + 0.5) + "" : (1 + random.nextInt(5)) + "")
                .append(",\"currency\":\"USD\",\"plan\":\"")
                .append(PLANS[random.nextInt(PLANS.length)])
                .append('"')
                .append(",\"is_member\":")
                .append(random.nextBoolean())
                .append(",\"category\":{\"level1\":\"cat-")
                .append(random.nextInt(20))
                .append("\",\"level2\":\"sub-")
                .append(random.nextInt(200))
                .append("\"}")
                .append(",\"tags\":[\"t")
                .append(random.nextInt(50))
                .append("\",\"t")
                .append(random.nextInt(50))
                .append("\"]")
                .append(",\"step_")
                .append(nameIdx % 3)
                .append("\":")
                .append(random.nextInt(10));
        if (mixed) {
            // one new field every newFieldEvery events of this generator, each belonging to one event name (a team
            // ships a
            // feature and its event gains a property); an event sends up to 3 of its own fields introduced so far
            long introduced = s / newFieldEvery;
            long own = introduced <= nameIdx ? 0 : (introduced - nameIdx - 1) / NAMES.length + 1;
            for (int k = 0; k < 3 && own > 0; k++) {
                long field = nameIdx + NAMES.length * random.nextLong(own);
                b.append(",\"feature_").append(field).append("\":").append(random.nextInt(100));
            }
        }
        b.append('}')
                .append(",\"context\":{\"library\":{\"name\":\"catchment-loadgen\",\"version\":\"1.0\"}")
                .append(",\"ip\":\"10.")
                .append(random.nextInt(256))
                .append('.')
                .append(random.nextInt(256))
                .append(".1\"")
                .append(",\"page\":{\"url\":\"https://shop.example.com/p/")
                .append(random.nextInt(5000))
                .append("\",\"referrer\":\"https://www.example.org/\"}")
                .append(",\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) ")
                .append(BROWSERS[random.nextInt(4)])
                .append("/120.0\",\"locale\":\"en-US\"}}");
    }

    /** In mixed mode, true for 0.5% of events per conflict kind (1% of events in all). */
    private boolean conflict(int kind) {
        return mixed && random.nextInt(200) == 0;
    }

    /** A body of {@code n} events as NDJSON. */
    @Override
    public int typicalBytes() {
        return 620;
    }
}
