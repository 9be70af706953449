package io.catchment.log.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code log/committed}: the loader's committed offset as decimal text. Written atomically: the value goes to
 * {@code committed.tmp}, which is forced, renamed over {@code committed}, and the directory is forced; a crash leaves
 * the old value or the new one, never a mix. A failed write or fsync fails the commit and leaves the old value; it does
 * not poison the log, since nothing reads the temporary file that was not renamed. The store holds the authoritative
 * offset, so a missing or unreadable file reads as 0. Not thread-safe: one loader commits.
 */
final class CommittedFile {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedFile.class);

    private final Path file;
    private final Path tmp;
    private final FileOpener opener;

    CommittedFile(Path dir, FileOpener opener) {
        this.file = dir.resolve("committed");
        this.tmp = dir.resolve("committed.tmp");
        this.opener = opener;
    }

    /** The committed offset, or 0 when the file is missing or damaged. */
    long read() {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            LOG.warn(
                    "Ignoring unreadable {} ({}); the store's offset decides where loading resumes",
                    file,
                    e.toString());
            return 0;
        }
    }

    /** Replaces the value with {@code next}; when this throws, the file still holds the previous value. */
    void write(long next) throws IOException {
        try (FileChannel ch = opener.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(Long.toString(next).getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        } catch (IOException e) {
            throw new IOException(
                    "cannot commit offset " + next + ": writing " + tmp + " failed (" + e.getMessage() + "); " + file
                            + " keeps the previous offset",
                    e);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Quarantine.forceDirectory(file.getParent());
    }
}
