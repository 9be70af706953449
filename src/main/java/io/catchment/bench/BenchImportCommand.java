package io.catchment.bench;

import io.catchment.importer.Archives;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code catchment bench-import}: generates an Amplitude export (zip of gzipped NDJSON, ~1.3 KB lines), imports it
 * into a fresh store as {@code catchment import} does, then loads the same events, decompressed, with DuckDB's own
 * {@code read_json} into one table, and prints both rates, their ratio and the peak RSS.
 */
@Command(
        name = "bench-import",
        mixinStandardHelpOptions = true,
        description = "Benchmark: import of a generated Amplitude export vs DuckDB's read_json of the same events.")
public final class BenchImportCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            description = "events in the export (default: ${DEFAULT-VALUE})",
            defaultValue = "2000000")
    long events;

    @Option(
            names = "--real-shaped",
            description = "a gzipped NDJSON file of real-shaped native events (RealShapedEvents: "
                    + "16 types of 100-500 nested fields, CRLF text, type changes) instead of an Amplitude export")
    boolean realShaped;

    @Option(names = "--work-dir", description = "where to put the export and the stores (default: a temp dir, deleted)")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        boolean temp = workDir == null;
        Path work = temp ? Files.createTempDirectory("catchment-bench-import") : Files.createDirectories(workDir);
        try {
            Path zip = work.resolve(realShaped ? "events.ndjson.gz" : "export.zip");
            long t0 = System.nanoTime();
            if (realShaped) {
                realShaped(zip);
            } else {
                ExportGenerator.amplitudeZip(zip, 1, events, 10_000, 0);
            }
            System.out.printf(
                    "generated %,d events: %,d MB zip in %.1f s%n",
                    events, Files.size(zip) >> 20, (System.nanoTime() - t0) / 1e9);
            // the import runs as a user runs it: its own JVM with the launcher's heap for import, so its peak memory is
            // its own (not this process's, which generated the export)
            String javaBin = ProcessHandle.current().info().command().orElse("java");
            String jar = Path.of(BenchImportCommand.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
            long start = System.nanoTime();
            Process child = new ProcessBuilder(
                            javaBin,
                            "-Xmx640m",
                            "-jar",
                            jar,
                            "import",
                            zip.toString(),
                            "--data-dir",
                            work.resolve("data").toString(),
                            "--progress-interval",
                            "10",
                            "--format",
                            realShaped ? "native" : "auto")
                    .inheritIO()
                    .start();
            long rss = 0;
            try {
                while (!child.waitFor(100, TimeUnit.MILLISECONDS)) rss = Math.max(rss, peakRssMb(child.pid()));
            } finally {
                child.destroyForcibly(); // when this bench is interrupted; a no-op once the import has ended
            }
            double secs = (System.nanoTime() - start) / 1e9;
            if (child.exitValue() != 0) return child.exitValue();
            double ours = events / secs;
            Path ndjson = work.resolve("export.ndjson");
            try (OutputStream out = Files.newOutputStream(ndjson)) {
                Archives.walk(zip, (name, in) -> in.transferTo(out));
            }
            double theirs;
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + work.resolve("baseline.duckdb"));
                    Statement s = c.createStatement()) {
                s.execute("SET memory_limit = '1GB'");
                long b0 = System.nanoTime();
                // with a schema that grows along the file, read_json must sample all of it to know every key
                s.execute("CREATE TABLE raw AS SELECT * FROM read_json('" + ndjson + "', format = 'newline_delimited'"
                        + (realShaped ? ", sample_size = -1" : "") + ")");
                double bs = (System.nanoTime() - b0) / 1e9;
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM raw")) {
                    rs.next();
                    theirs = rs.getLong(1) / bs;
                    System.out.printf(
                            "DuckDB read_json of the decompressed events: %,d rows in %.1f s = %.0f rows/s%n",
                            rs.getLong(1), bs, theirs);
                }
            }
            System.out.printf(
                    "RESULT import %.0f events/s (%.1f s), DuckDB read_json %.0f events/s, ratio %.2f, "
                            + "peak RSS of the import process %d MB; on disk %d bytes/event (raw NDJSON %d)%n",
                    ours,
                    secs,
                    theirs,
                    ours / theirs,
                    rss,
                    Files.size(work.resolve("data").resolve("catchment.duckdb")) / events,
                    Files.size(ndjson) / events);
            return 0;
        } finally {
            if (temp) {
                try (var s = Files.walk(work)) {
                    s.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** VmHWM: a process's peak resident set, from /proc (Linux); 0 when unknown. */
    static long peakRssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        } catch (Exception e) {
            // not Linux, or the process just ended
        }
        return 0;
    }

    /** {@code events} real-shaped events as gzipped NDJSON. */
    private void realShaped(Path file) throws java.io.IOException {
        RealShapedEvents gen = new RealShapedEvents(1);
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (long done = 0; done < events; done += 10_000) {
                out.write(gen.batch((int) Math.min(10_000, events - done))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
