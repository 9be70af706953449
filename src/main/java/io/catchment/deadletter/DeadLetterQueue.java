package io.catchment.deadletter;

import io.catchment.sink.SeparateDeadLetters;
import java.io.IOException;
import java.util.List;

/**
 * A {@link DeadLetterStore} kept apart from the store's tables (the Kafka dead-letter topic), written by
 * {@link SeparateDeadLetters} before the batch they came from commits.
 */
public interface DeadLetterQueue extends DeadLetterStore {

    /** Adds dead letters durably; an event already there counts one more attempt. */
    void add(List<DeadLetter> letters) throws IOException;
}
