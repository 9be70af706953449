package io.catchment.loader;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * A warning that may repeat on every retry, logged once when it starts and then at most once per interval, with how
 * many times it happened in between, so a store that is down for an hour writes 60 lines, not thousands. Thread-safe.
 */
final class RepeatedWarning {
    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private long suppressed;
    private boolean active;

    RepeatedWarning(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** Logs {@code message} (SLF4J format; a trailing throwable is logged with its stack) unless logged recently. */
    synchronized void warn(String message, Object... args) {
        long now = System.nanoTime();
        if (active && now - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) message = message + " (" + suppressed + " more times since the last such line)";
        log.warn(message, args);
        active = true;
        lastNanos = now;
        suppressed = 0;
    }

    /** The condition has cleared: the next warning is logged at once. */
    synchronized void clear() {
        if (active && suppressed > 0) log.info("Recovered after {} more retries", suppressed);
        active = false;
        suppressed = 0;
    }
}
