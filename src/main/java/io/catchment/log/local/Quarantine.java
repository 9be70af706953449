package io.catchment.log.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * {@code log/quarantine/}: where bytes cut from a segment go instead of being deleted. Each entry is
 * {@code <segment>-<byte>.<kind>} (the bytes from that byte of the segment to its end, or the whole file) and a
 * {@code .txt} beside it with the reason. An entry is forced to disk before the caller cuts the segment, so a crash in
 * between leaves the bytes in both places, never in neither. Existing entries are never overwritten. Not thread-safe:
 * callers hold the log directory's lock.
 */
final class Quarantine {
    private final Path dir;

    Quarantine(Path logDir) {
        this.dir = logDir.resolve("quarantine");
    }

    Path dir() {
        return dir;
    }

    /** Copies bytes {@code from}..end of {@code segment} (read through {@code ch}) into a new entry; returns it. */
    Path copyTail(Path segment, FileChannel ch, long from, String kind, String reason) throws IOException {
        Path target = newEntry(segment, from, kind);
        long size = ch.size();
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long pos = from; pos < size; ) pos += ch.transferTo(pos, size - pos, out);
            out.force(true);
        }
        describe(target, segment, from, size, reason);
        return target;
    }

    /** Moves the whole {@code segment} file into a new entry; returns it. */
    Path moveAside(Path segment, String reason) throws IOException {
        Path target = newEntry(segment, 0, "bad");
        long size = Files.size(segment);
        Files.move(segment, target, StandardCopyOption.ATOMIC_MOVE);
        describe(target, segment, 0, size, reason);
        return target;
    }

    private Path newEntry(Path segment, long from, String kind) throws IOException {
        Files.createDirectories(dir);
        String stem = segment.getFileName().toString().replaceFirst("\\.log$", "") + "-" + from;
        Path p = dir.resolve(stem + "." + kind);
        for (int i = 1; Files.exists(p) || Files.exists(txt(p)); i++) p = dir.resolve(stem + "." + i + "." + kind);
        return p;
    }

    private void describe(Path entry, Path segment, long from, long size, String reason) throws IOException {
        String text = "segment: " + segment.toAbsolutePath() + "\n"
                + "bytes: " + from + ".." + size + " of the segment (" + (size - from) + " bytes)\n"
                + "reason: " + reason + "\n"
                + "moved aside at: " + Instant.now() + "\n"
                + "format: records as in the segment (length int32 BE | crc32c int32 BE | payload), starting at the damage\n";
        try (FileChannel out = FileChannel.open(txt(entry), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        forceDirectory(dir);
        forceDirectory(segment.toAbsolutePath().getParent());
    }

    private static Path txt(Path entry) {
        return entry.resolveSibling(entry.getFileName() + ".txt");
    }

    static void forceDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot open a directory for fsync; the file fsyncs still hold
        }
    }
}
