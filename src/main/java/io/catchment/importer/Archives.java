package io.catchment.importer;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Walks import sources member by member, streaming: files, directories (recursively, sorted), globs; {@code .gz}
 * and {@code .zst} are decompressed on the fly; {@code .zip} archives are read entry by entry, nested to any depth (a
 * zip of gzipped NDJSON, Amplitude's export layout, is a zip whose members are {@code .gz}). Nothing is extracted to
 * disk and no member is held in memory. A zip member whose name is not valid UTF-8 is read, its bad bytes as
 * {@code ?} ({@link LenientZipInputStream}). A damaged archive throws an {@link IOException} naming the problem.
 */
public final class Archives {
    /** Receives each member's decompressed content; {@code in} is valid only during the call. */
    @FunctionalInterface
    public interface Visitor {
        void member(String name, InputStream in) throws IOException;
    }

    private Archives() {}

    /** The files a source argument names: a file, a directory (recursively) or a glob. */
    public static List<Path> files(String source) throws IOException {
        Path p = Path.of(source);
        if (Files.isRegularFile(p)) return List.of(p);
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                return s.filter(Files::isRegularFile).sorted().toList();
            }
        }
        if (source.contains("*") || source.contains("?") || source.contains("[")) {
            int cut = 0;
            for (int i = 0; i < source.length(); i++) {
                char c = source.charAt(i);
                if (c == '*' || c == '?' || c == '[' || c == '{') break;
                if (c == '/') cut = i + 1;
            }
            Path root = Path.of(cut == 0 ? "." : source.substring(0, cut));
            PathMatcher m =
                    FileSystems.getDefault().getPathMatcher("glob:" + (cut == 0 ? source : source.substring(cut)));
            if (!Files.isDirectory(root)) return List.of();
            try (Stream<Path> s = Files.walk(root)) {
                return s.filter(Files::isRegularFile)
                        .filter(f -> m.matches(root.relativize(f)))
                        .sorted()
                        .toList();
            }
        }
        throw new IOException(source + ": no such file, directory or glob match");
    }

    /** Visits every member of a file (the file itself when it is not an archive). */
    public static void walk(Path file, Visitor v) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            walk(file.toString(), in, v);
        }
    }

    /** Visits the members of a stream named {@code name}, by its extension. */
    public static void walk(String name, InputStream in, Visitor v) throws IOException {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".zip")) {
            ZipInputStream zip = new LenientZipInputStream(new BufferedInputStream(unclosable(in), 1 << 16));
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.isDirectory()) continue;
                walk(name + "!" + e.getName(), unclosable(zip), v);
            }
            return;
        }
        if (lower.endsWith(".gz") || lower.endsWith(".gzip")) {
            walk(name.substring(0, name.lastIndexOf('.')) + "", new GZIPInputStream(unclosable(in), 1 << 16), v, name);
            return;
        }
        if (lower.endsWith(".zst") || lower.endsWith(".zstd")) {
            try (InputStream z = new ZstdInputStream(unclosable(in))) {
                walk(name.substring(0, name.lastIndexOf('.')), z, v, name);
            }
            return;
        }
        v.member(name, in);
    }

    /** A decompressed stream: walked by its inner name, reported under its outer one. */
    private static void walk(String inner, InputStream in, Visitor v, String outer) throws IOException {
        String lower = inner.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".zip") || lower.endsWith(".gz") || lower.endsWith(".zst")) {
            walk(inner, in, (n, s) -> v.member(n.equals(inner) ? outer : n, s));
        } else {
            v.member(outer, in);
        }
    }

    private static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // the enclosing archive's stream stays open for its next member
            }
        };
    }
}
