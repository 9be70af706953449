package io.catchment.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.deadletter.DeadLetter;
import io.catchment.event.EventJson;
import io.catchment.format.Format;
import io.catchment.schema.Router;
import io.catchment.sink.ImportCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One import job: reads its members' lines, maps each to a canonical event (a bad line becomes a dead letter naming
 * the member and line), and hands them to the target in batches of {@code batchEvents} events or
 * {@link #BATCH_BYTES}, each with the {@link ImportCheckpoint}s of the members it reads (each member's next line and
 * totals), so a re-run resumes where this one stopped. Used on one thread.
 */
public final class ImportJob {
    /**
     * A batch also ends at this many bytes of canonical events: 100,000 real-shaped events (2.3 KB each) held 230 MB in
     * one buffer, grown by doubling, and ran the import's 640 MB heap out of memory with a batch queued behind it. At 96
     * MB it ran out again (session 13): the buffer, its copy handed over, the batch queued and the batch being prepared
     * are four such arrays at once, beside the prepared rows. 32 MB is about 15,000 real-shaped events a batch.
     */
    public static final int BATCH_BYTES = 32 << 20;

    public final AtomicLong read = new AtomicLong();
    public final AtomicLong skipped = new AtomicLong();
    private final AtomicLong bad = new AtomicLong();
    private final Map<String, Long> badReasons = new TreeMap<>();
    private final String jobId;
    private final ImportTarget target;
    private final Format forced;
    private final String source;
    private final int batchEvents;

    /** {@code forced}: the format of every line, or null to detect it per line. */
    public ImportJob(String jobId, ImportTarget target, Format forced, String source, int batchEvents) {
        this.jobId = jobId;
        this.target = target;
        this.forced = forced;
        this.source = source;
        this.batchEvents = batchEvents;
        this.buf = new ByteArrayOutputStream((int) Math.min((long) batchEvents * 700, BATCH_BYTES + (1 << 20)));
        this.lines = new long[batchEvents];
    }

    private final ByteArrayOutputStream buf;
    private final long[] lines;
    private int count;
    private List<DeadLetter> deadLetters = new ArrayList<>();
    /** Checkpoints of the members that ended since the last batch, to go with the next one. */
    private final List<ImportCheckpoint> finished = new ArrayList<>();

    /** Imports one member (an NDJSON file, unpacked), resuming after the lines an earlier run of the job loaded. */
    public void member(String member, InputStream content) throws IOException {
        Optional<ImportCheckpoint> earlier = target.resumeAt(jobId, member);
        long resume = earlier.map(ImportCheckpoint::nextLine).orElse(0L);
        // the member's totals, carried on from the earlier run's
        long events = earlier.map(ImportCheckpoint::events).orElse(0L);
        long badLines = earlier.map(ImportCheckpoint::deadLetters).orElse(0L);
        Instant receivedAt = Instant.now();
        JsonLines r = new JsonLines(content, resume, skipped);
        long lineNo = 0;
        try {
            while (r.next()) {
                lineNo = r.lineNo();
                read.incrementAndGet();
                ImportedLine line = ImportedLine.read(r, forced, source, receivedAt);
                if (line.json() == null) {
                    deadLetters.add(badLine(member, lineNo, line.problem(), r.text()));
                    badLines++;
                } else {
                    buf.write(line.json());
                    buf.write('\n');
                    lines[count++] = lineNo;
                    events++;
                }
                if (count == batchEvents || buf.size() >= BATCH_BYTES || deadLetters.size() >= 10_000) {
                    flush(new ImportCheckpoint(jobId, member, lineNo, events, badLines));
                }
            }
            lineNo = r.linesRead();
            if (lineNo > resume) finished.add(new ImportCheckpoint(jobId, member, lineNo, events, badLines));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(member + " line " + lineNo + ": " + e.getMessage(), e);
        }
    }

    /** Hands the batch over with the checkpoints of the members that ended in it and of {@code current} (or null). */
    private void flush(ImportCheckpoint current) throws Exception {
        List<ImportCheckpoint> checkpoints = new ArrayList<>(finished);
        if (current != null) checkpoints.add(current);
        target.batch(buf.toByteArray(), lines.clone(), count, checkpoints, deadLetters);
        buf.reset();
        count = 0;
        deadLetters = new ArrayList<>();
        finished.clear();
    }

    /** Writes what is left (with the checkpoints of the members that ended since the last batch) and waits. */
    public void finish() throws Exception {
        if (!finished.isEmpty() || count > 0 || !deadLetters.isEmpty()) flush(null);
        target.finish();
    }

    private DeadLetter badLine(String member, long lineNo, String reason, String line) {
        bad.incrementAndGet();
        String kind = reason.length() > 60 ? reason.substring(0, 60) : reason;
        synchronized (badReasons) {
            badReasons.merge(kind.replaceAll("[0-9]+", "N"), 1L, Long::sum);
        }
        // where it came from, with the line as JSON when it is JSON, else as a string (the store holds JSON)
        ObjectNode where =
                EventJson.MAPPER.createObjectNode().put("member", member).put("line", lineNo);
        JsonNode raw;
        try {
            raw = line.length() > 65_536 ? null : EventJson.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            raw = null;
        }
        where.set(
                "raw",
                raw != null
                        ? raw
                        : EventJson.MAPPER
                                .getNodeFactory()
                                .textNode(line.length() > 65_536 ? line.substring(0, 65_536) : line));
        return new DeadLetter(null, null, member + " line " + lineNo + ": " + reason, where.toString(), lineNo);
    }

    /** The summary on stdout: events read, loaded, duplicates, dead letters, rows per table, bad lines by reason. */
    public void report(long started) {
        double secs = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "import %s done in %.1f s: %,d events read (%,.0f events/s)%n",
                jobId, secs, read.get(), read.get() / secs);
        if (skipped.get() > 0)
            System.out.printf("  %,d lines skipped: imported by an earlier run of this job%n", skipped.get());
        if (target instanceof StoreTarget s) {
            long loaded =
                    s.writer.rows.getOrDefault(Router.EVENTS, new AtomicLong()).get();
            System.out.printf(
                    "  %,d loaded, %,d duplicates skipped, %,d dead-lettered%n",
                    loaded, s.writer.duplicates.get(), s.writer.deadLetters.get());
            new TreeMap<>(s.writer.rows).forEach((t, n) -> {
                if (!t.equals(Router.EVENTS)) System.out.printf("    %-40s %,d rows%n", t, n.get());
            });
        } else {
            System.out.printf(
                    "  %,d sent (the server loads and deduplicates them), %,d bad lines%n",
                    read.get() - bad.get(), bad.get());
        }
        badReasons.forEach((r, n) -> System.out.printf("  bad lines: %,d x %s%n", n, r));
    }
}
