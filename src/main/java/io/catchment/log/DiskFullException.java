package io.catchment.log;

import java.util.Locale;

/**
 * A write of the local log failed because the disk, or the user's disk quota, is full (ENOSPC, EDQUOT). The record was
 * not stored; the segment was cut back to its last durable byte and the log stays usable, so the same append succeeds
 * once space is freed, without a restart. A {@link LogFullException}: the collector answers 503 with
 * {@code Retry-After}.
 */
public final class DiskFullException extends LogFullException {
    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code e} or one of its causes is the operating system saying the disk or quota is full. The JDK reports
     * ENOSPC from a channel write only as the message text of a plain IOException, so the text is read here, and only
     * here: Linux "No space left on device", "Disk quota exceeded"; Windows "There is not enough space on the disk".
     */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device")
                    || m.contains("disk quota exceeded")
                    || m.contains("not enough space on the disk")) {
                return true;
            }
        }
        return false;
    }
}
