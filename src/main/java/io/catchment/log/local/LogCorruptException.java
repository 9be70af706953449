package io.catchment.log.local;

import io.catchment.CatchmentException;
import java.nio.file.Path;

/**
 * A log segment holds damage that is not a torn tail, so records after it may have been acknowledged. The log refuses
 * to open (or to read past it) instead of dropping them; the message names the file, the byte, what was expected and
 * found, and the command that moves the damaged part aside.
 */
public final class LogCorruptException extends CatchmentException {
    private final transient Path file;
    private final long at;

    public LogCorruptException(Path file, long at, String what) {
        super("log segment " + file + " is damaged at byte " + at + ": " + what
                + ". Catchment will not drop records that "
                + "may have been acknowledged; run `catchment log repair --quarantine --data-dir " + dataDir(file)
                + "` to move the damaged part aside (nothing is deleted)");
        this.file = file;
        this.at = at;
    }

    /** The damaged segment file. */
    public Path file() {
        return file;
    }

    /** The byte of {@link #file()} where the damage starts. */
    public long at() {
        return at;
    }

    /** The log lives in {@code DATA_DIR/log/}, so the data dir is the segment's grandparent. */
    private static Path dataDir(Path segment) {
        Path logDir = segment.toAbsolutePath().getParent();
        return logDir.getParent() != null ? logDir.getParent() : logDir;
    }
}
