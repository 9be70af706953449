package io.catchment.cli;

import io.catchment.Backends;
import io.catchment.config.CatchmentConfig;
import io.catchment.format.Format;
import io.catchment.importer.ApiTarget;
import io.catchment.importer.ArchiveSource;
import io.catchment.importer.Archives;
import io.catchment.importer.ExportApis;
import io.catchment.importer.ImportJob;
import io.catchment.importer.ImportProgress;
import io.catchment.importer.ImportTarget;
import io.catchment.importer.LogTarget;
import io.catchment.importer.StoreTarget;
import io.catchment.importer.Unreachable;
import io.catchment.schema.Names;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code catchment import}: historical events from export files into the store, streamed, resumable and safe to
 * re-run. See docs/import.md.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Import exported events: files, directories, globs; .json/.ndjson/.jsonl, .gz, .zst and .zip "
                    + "(nested, e.g. Amplitude's zip of gzipped NDJSON), streamed member by member.",
            "",
            "Direct (default): loads into the store (DuckDB or ClickHouse) through the loader's path (schema rules, exact dedup), with a "
                    + "checkpoint per member committed with its rows, so re-running the same command resumes, and re-running "
                    + "a finished import adds nothing. When a server holds the data dir, events are sent to its API instead.",
            "",
            "Exit codes: 0 done (bad lines are dead letters, not failures), 1 failed, 2 usage, 3 server unreachable."
        })
public final class ImportCommand implements Callable<Integer> {
    @Parameters(
            arity = "1..*",
            paramLabel = "SOURCE",
            description =
                    "file, directory, glob, "
                            + "amplitude-export://?start=YYYYMMDDTHH&end=YYYYMMDDTHH or mixpanel-export://?from=YYYY-MM-DD&to=YYYY-MM-DD"
                            + "[&project_id=N] (credentials: CATCHMENT_AMPLITUDE_API_KEY/_SECRET_KEY, CATCHMENT_MIXPANEL_SECRET "
                            + "[+ CATCHMENT_MIXPANEL_USER for a service account]), or s3://bucket/prefix (AWS credentials chain)")
    List<String> sources;

    @Option(
            names = "--s3-endpoint",
            description = "S3 endpoint for s3:// sources (default: AWS; e.g. " + "http://127.0.0.1:9000 for MinIO)")
    String s3Endpoint;

    @Option(names = "--s3-region", description = "S3 region (default: $AWS_REGION, else us-east-1)")
    String s3Region;

    @Option(names = "--s3-path-style", description = "path-style S3 URLs (MinIO and most S3-compatible stores)")
    boolean s3PathStyle;

    @Option(
            names = "--amplitude-host",
            description = "Amplitude API host (default: ${DEFAULT-VALUE}; EU: " + "https://analytics.eu.amplitude.com)",
            defaultValue = "https://amplitude.com")
    String amplitudeHost;

    @Option(
            names = "--mixpanel-host",
            description = "Mixpanel export host (default: ${DEFAULT-VALUE}; EU: " + "https://data-eu.mixpanel.com)",
            defaultValue = "https://data.mixpanel.com")
    String mixpanelHost;

    @Option(
            names = "--format",
            description = "auto (detected per line), amplitude, mixpanel, segment, posthog or native "
                    + "(default: ${DEFAULT-VALUE})",
            defaultValue = "auto")
    String format;

    @Option(
            names = "--source",
            description = "source name stored with the events (default: ${DEFAULT-VALUE})",
            defaultValue = "import")
    String source;

    @Option(names = "--via-log", description = "append to the event log, as the collector does, for a server to load")
    boolean viaLog;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML config (default: ./catchment.yaml if present)")
    Path config;

    @Option(
            names = {"-d", "--data-dir"},
            paramLabel = "DIR",
            description = "data directory (overrides data_dir)")
    Path dataDir;

    @Option(
            names = "--url",
            description = "a running server, used when it holds the data dir (default: "
                    + "http://127.0.0.1:PORT from the config)")
    String url;

    @Option(
            names = "--key",
            description = "write key for --url (default: $CATCHMENT_WRITE_KEY, else the first "
                    + "generated key in the data dir)")
    String key;

    @Option(
            names = "--batch-events",
            description = "events per store transaction (default: ${DEFAULT-VALUE})",
            defaultValue = "100000")
    int batchEvents;

    @Option(
            names = "--progress-interval",
            description =
                    "seconds between progress lines when stderr is not a " + "terminal (default: ${DEFAULT-VALUE})",
            defaultValue = "5")
    double progressInterval;

    private final AtomicLong bytes = new AtomicLong();
    private String jobId;

    @Override
    public Integer call() throws Exception {
        if (batchEvents < 1) {
            System.err.println("error: --batch-events must be at least 1");
            return Cli.USAGE;
        }
        Format forced;
        try {
            forced = Format.named(format);
        } catch (IllegalArgumentException e) {
            System.err.println(
                    "error: unknown --format " + format + " (auto, amplitude, mixpanel, segment, posthog, native)");
            return Cli.USAGE;
        }
        Map<String, String> overrides = new HashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        CatchmentConfig cfg = Cli.config(config, overrides);
        if (cfg == null) return Cli.USAGE;
        // walked in this order: files, S3 objects, export API ranges (the job's identity lists the exports second)
        List<ArchiveSource> files = new ArrayList<>();
        List<ArchiveSource> objects = new ArrayList<>();
        List<ArchiveSource> exports = new ArrayList<>();
        io.catchment.importer.S3Source s3 = null;
        ExportApis apis = null;
        for (String s : sources) {
            try {
                if (ExportApis.isExportUri(s)) {
                    if (apis == null) apis = exportApis();
                    exports.add(ArchiveSource.export(apis, s));
                } else if (io.catchment.importer.S3Source.isS3(s)) {
                    if (s3 == null) {
                        s3 = new io.catchment.importer.S3Source(
                                s3Endpoint, s3Region != null ? s3Region : System.getenv("AWS_REGION"), s3PathStyle);
                    }
                    for (var item : s3.list(s)) objects.add(ArchiveSource.s3(s3, item));
                } else {
                    for (Path f : Archives.files(s)) files.add(ArchiveSource.file(f));
                }
            } catch (IOException e) {
                System.err.println("error: " + e.getMessage());
                return io.catchment.importer.S3Source.isS3(s) ? Cli.FAILURE : Cli.USAGE;
            }
        }
        long total = 0;
        StringBuilder identity = new StringBuilder(format + "\n" + source);
        for (List<ArchiveSource> group : List.of(files, exports, objects)) {
            for (ArchiveSource a : group) {
                total += a.bytes();
                identity.append('\n').append(a.identity());
            }
        }
        jobId = Names.hash(identity.toString()).substring(0, 16);
        long started = System.nanoTime();
        try (ImportTarget target = open(cfg)) {
            ImportJob job = new ImportJob(jobId, target, forced, source, batchEvents);
            try (ImportProgress progress = new ImportProgress(
                    total,
                    started,
                    bytes::get,
                    job.read::get,
                    target instanceof StoreTarget st ? st.writer.events::get : null,
                    progressInterval)) {
                System.err.println("import " + jobId + ": " + (files.size() + objects.size()) + " file(s), "
                        + (total >> 20) + " MB"
                        + (exports.isEmpty() ? "" : ", " + exports.size() + " export API range(s)") + ", "
                        + target.describe());
                for (List<ArchiveSource> group : List.of(files, objects, exports)) {
                    for (ArchiveSource a : group) a.walk(this::counting, job::member);
                }
                job.finish();
                progress.close();
                job.report(started);
                return 0;
            }
        } catch (Unreachable e) {
            System.err.println("error: " + e.getMessage());
            return Cli.UNREACHABLE;
        } finally {
            if (s3 != null) s3.close();
        }
    }

    private ExportApis exportApis() {
        Map<String, String> env = System.getenv();
        return new ExportApis(new ExportApis.Access(
                amplitudeHost,
                env.get("CATCHMENT_AMPLITUDE_API_KEY"),
                env.get("CATCHMENT_AMPLITUDE_SECRET_KEY"),
                mixpanelHost,
                env.get("CATCHMENT_MIXPANEL_USER"),
                env.get("CATCHMENT_MIXPANEL_SECRET")));
    }

    private InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) bytes.incrementAndGet();
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) bytes.addAndGet(n);
                return n;
            }
        };
    }

    private ImportTarget open(CatchmentConfig cfg) throws Exception {
        Path data = cfg.dataDir();
        if (viaLog) {
            try {
                return new LogTarget(Backends.localLog(cfg), data, jobId);
            } catch (io.catchment.InUseException e) {
                return apiTarget(cfg, "the event log is held by a running server");
            }
        }
        try {
            return new StoreTarget(Backends.importStore(cfg), cfg);
        } catch (io.catchment.InUseException e) {
            return apiTarget(cfg, "the store is held by a running server");
        }
    }

    private ImportTarget apiTarget(CatchmentConfig cfg, String why) throws Unreachable {
        String base = url != null ? url : "http://127.0.0.1:" + cfg.server().port();
        String k = key != null ? key : System.getenv("CATCHMENT_WRITE_KEY");
        if (k == null) k = Cli.writeKey(cfg.dataDir().toString());
        if (k == null && !cfg.keys().writeKeys().isEmpty())
            k = cfg.keys().writeKeys().keySet().iterator().next();
        if (k == null) throw new Unreachable(why + ", and no write key is known for its API: pass --key");
        return new ApiTarget(base.replaceAll("/$", ""), k, why, cfg.dataDir(), jobId);
    }
}
