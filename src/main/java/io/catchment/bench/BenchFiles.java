package io.catchment.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The benchmarks' work directories: how much a store takes on disk, and removing them after. */
final class BenchFiles {
    private BenchFiles() {}

    /** The store's files (the DuckDB database and its WAL), without the staging area. */
    static long storeBytes(Path store) throws IOException {
        try (var files = Files.walk(store)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.toString().contains("staging"))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
