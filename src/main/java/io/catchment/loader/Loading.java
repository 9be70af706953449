package io.catchment.loader;

import java.time.Duration;
import java.util.Map;

/**
 * Loading from the log into the store, as the server sees it, whatever runs it: one {@link Loader} over a local log,
 * or {@link KafkaLoaders}, one loader per Kafka partition this process is given. {@link #start} starts loading in the
 * background; {@link #close} lets the batch in hand commit and stops. The readings are safe to take from any thread
 * at any time.
 */
public interface Loading extends AutoCloseable {
    void start();

    /** The offset loading has reached (with several partitions: the sum of their offsets). */
    long position();

    /** Records written to the log (the partitions this process loads) and not loaded yet. */
    long lag();

    /** How long since loading last committed anything or found nothing to load. */
    Duration sinceProgress();

    /** The store's last error while retrying, or null. */
    String lastError();

    /** Extra facts for {@code /v1/status} (e.g. the Kafka partitions this process loads); empty by default. */
    default Map<String, Object> details() {
        return Map.of();
    }

    @Override
    void close();
}
