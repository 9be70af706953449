package io.catchment.loader;

import java.nio.charset.StandardCharsets;

/** One canonical event as it sits in a log record: a slice of the record's bytes, and the record's offset. */
record Line(byte[] buf, int off, int len, long offset) {
    String text() {
        return new String(buf, off, len, StandardCharsets.UTF_8);
    }
}
