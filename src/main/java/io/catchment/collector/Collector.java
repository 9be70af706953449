package io.catchment.collector;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.catchment.event.Event;
import io.catchment.event.EventJson;
import io.catchment.format.InvalidEventException;
import io.catchment.format.NativeFormat;
import io.catchment.log.DiskFullException;
import io.catchment.log.EventLog;
import io.catchment.log.EventTooLargeException;
import io.catchment.log.LogFullException;
import io.catchment.log.LogPoisonedException;
import io.catchment.metrics.Metrics;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events}: authenticates, reads and decodes the body within limits, normalises every event and
 * appends them to the log as one record, answering {@code {"accepted":N}} only once that record is durable.
 *
 * <p>A request is all or nothing: if any event is invalid, none is accepted and the 400 lists each invalid event's
 * index, field and problem (the first 100); so is an event that would be nested deeper than Jackson's limit of 1,000
 * once normalised, which the log could not hold, and (413) an event larger than the log holds in one piece (an SQS
 * message), named by index and id: the other events of that request are not accepted either. A source over
 * {@code limits.events_per_second} gets 429 with {@code Retry-After}. A log that cannot store the record answers 503
 * with {@code Retry-After},
 * never a 2xx: full ({@code log_full}), its disk full ({@code disk_full}), refusing appends until a restart after a
 * failed fsync ({@code log_failed}), or another write error ({@code log_error}). Thread-safe.
 */
public final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final int MAX_REPORTED = 100;

    private final EventLog log;
    private final Auth auth;
    private final Metrics metrics;
    private final long maxRequestBytes;
    private final long maxEventBytes;
    private final RateLimit rate;

    public Collector(EventLog log, Auth auth, Metrics metrics, long maxRequestBytes, long maxEventBytes) {
        this(log, auth, metrics, maxRequestBytes, maxEventBytes, new RateLimit(0));
    }

    public Collector(
            EventLog log, Auth auth, Metrics metrics, long maxRequestBytes, long maxEventBytes, RateLimit rate) {
        this.rate = rate;
        this.log = log;
        this.auth = auth;
        this.metrics = metrics;
        this.maxRequestBytes = maxRequestBytes;
        this.maxEventBytes = maxEventBytes;
    }

    public void events(Context ctx) throws IOException {
        long start = System.nanoTime();
        String source = auth.source(ctx);
        byte[] wire = Bodies.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), maxRequestBytes);
        byte[] body = Bodies.decode(wire, ctx.header("Content-Encoding"), maxRequestBytes);
        NativeFormat.Parsed parsed;
        try {
            parsed = NativeFormat.split(body, maxEventBytes);
        } catch (InvalidEventException e) {
            throw invalid(List.of(e), e.tooLarge() ? 413 : 400, 1);
        }
        int n = parsed.events().size();
        metrics.received.increment(n);
        if (n == 0) throw HttpProblem.of(400, "empty", "the request holds no events");
        Instant receivedAt = Instant.now();
        List<Event> events = new ArrayList<>(n);
        List<InvalidEventException> errors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                events.add(NativeFormat.toEvent(parsed.events().get(i), i, source, receivedAt));
            } catch (InvalidEventException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            metrics.rejected("invalid", n);
            throw invalid(errors, 400, n);
        }
        accept(events, start);
        ctx.contentType("application/json").result("{\"accepted\":" + n + "}");
    }

    /**
     * Appends normalised events to the log as one record and returns once it is durable: the shared path of the
     * native and vendor endpoints. Throws {@link HttpProblem} 429 when the source is over
     * {@code limits.events_per_second}, 413 when the record is too large, 503 when the log is full or failing.
     */
    public void accept(List<Event> events, long startNanos) {
        int n = events.size();
        String source = n == 0 ? null : events.get(0).source();
        long wait = source == null ? 0 : rate.take(source, n);
        if (wait > 0) {
            metrics.rejected("rate_limited", n);
            throw new HttpProblem(
                    429,
                    "rate_limited",
                    Map.of(
                            "error",
                            "source '" + source + "' is over its limit of " + rate.perSecond()
                                    + " events per second (limits.events_per_second); none of the " + n
                                    + " events was accepted, retry after " + wait + " s",
                            "retry_after",
                            wait,
                            "accepted",
                            0));
        }
        ByteArrayOutputStream record = new ByteArrayOutputStream(n * 700);
        int i = 0;
        try {
            for (Event e : events) {
                EventJson.write(e, record);
                record.write('\n');
                i++;
            }
        } catch (StreamConstraintsException e) { // top-level keys moved under properties: one level deeper than sent
            throw HttpProblem.of(
                    400,
                    "invalid",
                    "event " + i + " is nested too deep once normalised: "
                            + io.catchment.event.ParseErrors.describe(e, null));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (record.size() > EventLog.MAX_RECORD_BYTES) {
            throw HttpProblem.of(
                    413,
                    "too_large",
                    "the request's " + n + " events take " + record.size()
                            + " bytes once normalised, over the log's record limit of " + EventLog.MAX_RECORD_BYTES
                            + "; send fewer per request");
        }
        append(record.toByteArray(), events);
        metrics.accepted.increment(n);
        metrics.ackLatency.record(java.time.Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** Counts events that arrived (before validation), for the accounting in /metrics. */
    public void received(int n) {
        metrics.received.increment(n);
    }

    /** Counts events refused, by reason. */
    public void rejected(String reason, int n) {
        metrics.rejected(reason, n);
    }

    private void append(byte[] record, List<Event> events) {
        int n = events.size();
        Event first = events.isEmpty() ? null : events.get(0);
        String key = first == null ? null : first.userId() != null ? first.userId() : first.anonymousId();
        try {
            log.append(key, record);
        } catch (EventTooLargeException e) {
            metrics.rejected("too_large", n);
            throw tooLargeForLog(e, events);
        } catch (DiskFullException e) {
            LOG.error("Append of {} events to the log failed: its disk is full", n, e);
            metrics.rejected("disk_full", n);
            throw new HttpProblem(
                    503, "disk_full", Map.of("error", "the event log's disk is full; retry later", "retry_after", 30));
        } catch (LogFullException e) {
            metrics.rejected("log_full", n);
            throw new HttpProblem(
                    503, "log_full", Map.of("error", "the event log is full; retry later", "retry_after", 30));
        } catch (LogPoisonedException e) {
            LOG.error("Append of {} events refused: the log needs a restart", n, e);
            metrics.rejected("log_failed", n);
            throw new HttpProblem(
                    503,
                    "log_failed",
                    Map.of(
                            "error",
                            "the event log failed and refuses events until " + "Catchment is restarted; retry later",
                            "retry_after",
                            30));
        } catch (IOException e) {
            LOG.error("Append of {} events to the log failed", n, e);
            metrics.rejected("log_error", n);
            throw new HttpProblem(
                    503,
                    "log_error",
                    Map.of("error", "the event log could not store the events; retry later", "retry_after", 5));
        }
    }

    /** 413 for an event the log cannot hold in one piece: nothing of the request was stored (all or nothing). */
    private static HttpProblem tooLargeForLog(EventTooLargeException e, List<Event> events) {
        int i = e.index();
        String id = i < events.size() ? events.get(i).id() : null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "error",
                "event " + i + (id != null ? " (id " + id + ")" : "") + " is too large for the event log: it "
                        + e.detail() + "; none of the request's " + events.size() + " events was accepted");
        body.put("index", i);
        if (id != null) body.put("id", id);
        body.put("accepted", 0);
        return new HttpProblem(413, "too_large", body);
    }

    private HttpProblem invalid(List<InvalidEventException> errors, int status, int total) {
        Map<String, Object> body = new LinkedHashMap<>();
        InvalidEventException first = errors.get(0);
        body.put(
                "error",
                errors.size() == 1
                        ? first.getMessage()
                        : errors.size() + " of " + total + " events are invalid; none was accepted");
        if (first.index() >= 0) body.put("index", first.index());
        if (first.field() != null) body.put("field", first.field());
        List<Map<String, Object>> list = new ArrayList<>();
        for (InvalidEventException e : errors.subList(0, Math.min(MAX_REPORTED, errors.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (e.index() >= 0) m.put("index", e.index());
            if (e.field() != null) m.put("field", e.field());
            m.put("message", e.getMessage());
            list.add(m);
        }
        if (errors.size() > 1 || first.index() >= 0) body.put("errors", list);
        body.put("accepted", 0);
        return new HttpProblem(status, status == 413 ? "too_large" : "invalid", body);
    }
}
