package io.catchment.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * One thing an import reads: a local file (an archive, or NDJSON), an S3 object, or a range of a SaaS export API.
 * Each hands its members (the NDJSON files inside, after unpacking zip, gz and zst) to a visitor, in order; what it
 * reads passes through {@code counting}, so the import can show its progress. Used on one thread.
 */
public interface ArchiveSource {
    /** Bytes to read, as far as known before reading (0 for an export API). */
    long bytes();

    /** What names this source in the import job's identity: re-running the same job resumes it. */
    String identity();

    void walk(UnaryOperator<InputStream> counting, Archives.Visitor visitor) throws IOException, InterruptedException;

    /** A local file: an archive or an NDJSON file. */
    static ArchiveSource file(Path f) throws IOException {
        long size = Files.size(f);
        return new ArchiveSource() {
            public long bytes() {
                return size;
            }

            public String identity() {
                return f.toAbsolutePath().normalize().toString();
            }

            public void walk(UnaryOperator<InputStream> counting, Archives.Visitor visitor) throws IOException {
                try (InputStream in = counting.apply(Files.newInputStream(f))) {
                    Archives.walk(f.toString(), in, visitor);
                }
            }
        };
    }

    /** An object of an S3 bucket. */
    static ArchiveSource s3(S3Source s3, S3Source.Item item) {
        return new ArchiveSource() {
            public long bytes() {
                return item.size();
            }

            public String identity() {
                return item.name();
            }

            public void walk(UnaryOperator<InputStream> counting, Archives.Visitor visitor) throws IOException {
                s3.walk(item, counting, visitor);
            }
        };
    }

    /** A range of Amplitude's or Mixpanel's export API ({@code amplitude-export://…}, {@code mixpanel-export://…}). */
    static ArchiveSource export(ExportApis apis, String uri) {
        return new ArchiveSource() {
            public long bytes() {
                return 0;
            }

            public String identity() {
                return uri;
            }

            public void walk(UnaryOperator<InputStream> counting, Archives.Visitor visitor)
                    throws IOException, InterruptedException {
                apis.walk(uri, (member, content) -> visitor.member(member, counting.apply(content)));
            }
        };
    }
}
