package io.catchment.bench;

import io.catchment.cli.Cli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catchment loadgen}: sends synthetic events at a target rate and reports throughput and ack latency. */
@Command(
        name = "loadgen",
        mixinStandardHelpOptions = true,
        description = {
            "Send realistic synthetic events to a running Catchment and report events/s and ack latency.",
            "Useful to size a machine; also the collector benchmark (see BENCHMARKS.md)."
        })
public final class LoadgenCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            description = "Catchment base URL (default: ${DEFAULT-VALUE})",
            defaultValue = "http://127.0.0.1:8080")
    String url;

    @Option(
            names = "--key",
            description = "write key (default: $CATCHMENT_WRITE_KEY, else the first generated key in --data-dir)")
    String key;

    @Option(
            names = "--data-dir",
            description = "where to find generated keys (default: ${DEFAULT-VALUE})",
            defaultValue = "./data")
    String dataDir;

    @Option(
            names = "--rate",
            description = "target events per second, 0 for as fast as possible (default: ${DEFAULT-VALUE})",
            defaultValue = "0")
    long rate;

    @Option(names = "--batch", description = "events per request (default: ${DEFAULT-VALUE})", defaultValue = "100")
    int batch;

    @Option(names = "--duration", description = "seconds to run (default: ${DEFAULT-VALUE})", defaultValue = "10")
    int duration;

    @Option(
            names = "--events",
            description = "stop once this many events are sent, within --duration (after the warm-up; 0: no limit, the "
                    + "default), to put a given number of events in a log",
            defaultValue = "0")
    long events;

    @Option(
            names = "--concurrency",
            description = "requests in flight (default: ${DEFAULT-VALUE})",
            defaultValue = "32")
    int concurrency;

    @Option(
            names = "--warmup",
            description =
                    "seconds sent first and not counted, so JIT warm-up does not skew latency (default: ${DEFAULT-VALUE})",
            defaultValue = "3")
    int warmup;

    @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})", defaultValue = "1")
    long seed;

    @Option(
            names = "--format",
            description =
                    "API to load: native (POST /v1/events), segment (/v1/batch), amplitude "
                            + "(/2/httpapi), mixpanel (/track), posthog (/batch); the same events in each (default: ${DEFAULT-VALUE})",
            defaultValue = "native")
    String format;

    @Option(
            names = "--pool",
            description = "request bodies built before the run and sent in turn, so building them "
                    + "costs the measurement nothing; ids repeat once the pool is used up (default: ${DEFAULT-VALUE})",
            defaultValue = "256")
    int pool;

    @Option(
            names = "--unique",
            description = "build every request's events as it is sent (each sender its own generator), so that no id "
                    + "repeats however many are sent, at a little CPU per request (soaks of many millions of events)")
    boolean unique;

    @Option(
            names = "--now",
            description = "with --unique: date each event at the moment it is sent (default: from 2023-11-14 on, "
                    + "37 ms apart), for reports over today while loading")
    boolean now;

    @Override
    public Integer call() throws Exception {
        String k = key != null ? key : Cli.writeKey(dataDir);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        EventGenerator gen = new EventGenerator(seed);
        List<VendorBodies.Request> bodies = new ArrayList<>(pool);
        for (int i = 0; i < pool; i++) bodies.add(VendorBodies.build(format, gen.batch(batch), k));
        URI target = URI.create(url.replaceAll("/$", "") + bodies.get(0).path());
        this.bodies = bodies;
        if (warmup > 0) {
            System.out.println("loadgen: warming up for " + warmup + " s");
            run(
                    client,
                    target,
                    k,
                    System.nanoTime(),
                    Duration.ofSeconds(warmup),
                    0,
                    new ArrayList<>(),
                    new AtomicLong(),
                    new AtomicLong());
        }
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long start = System.nanoTime();
        run(client, target, k, start, Duration.ofSeconds(duration), events, latencies, acked, failed);
        report(start, latencies, acked, failed);
        return failed.get() == 0 ? 0 : 1;
    }

    private List<VendorBodies.Request> bodies;

    private void run(
            HttpClient client,
            URI target,
            String k,
            long start,
            Duration length,
            long maxEvents,
            List<long[]> latencies,
            AtomicLong acked,
            AtomicLong failed)
            throws InterruptedException {
        long end = start + length.toNanos();
        long maxTickets = maxEvents > 0 ? (maxEvents + batch - 1) / batch : Long.MAX_VALUE;
        AtomicLong tickets = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            long[] lat = new long[1 << 20];
            latencies.add(lat);
            int worker = w;
            Thread t = new Thread(
                    () -> {
                        int count = 0;
                        EventGenerator own = unique ? new EventGenerator(seed * 1_000_003L + worker + 1) : null;
                        if (own != null && now) own.live();
                        while (true) {
                            long ticket = tickets.getAndIncrement();
                            if (ticket >= maxTickets) break;
                            long due = rate > 0 ? start + (long) (ticket * batch * 1e9 / rate) : System.nanoTime();
                            if (due >= end) break;
                            long wait = due - System.nanoTime();
                            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            VendorBodies.Request body;
                            try {
                                body = own != null
                                        ? VendorBodies.build(format, own.batch(batch), k)
                                        : bodies.get((int) (ticket % bodies.size()));
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                                    .header("Content-Type", body.contentType())
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()));
                            body.headers().forEach(rb::header);
                            HttpRequest req = rb.build();
                            long t0 = System.nanoTime();
                            try {
                                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() == 200) {
                                    acked.addAndGet(batch);
                                } else {
                                    failed.addAndGet(batch);
                                    if (failed.get() <= batch)
                                        System.err.println("HTTP " + r.statusCode() + ": " + r.body());
                                }
                            } catch (Exception e) {
                                failed.addAndGet(batch);
                            }
                            // latency from the scheduled send time, so a slow server cannot hide queueing (no
                            // coordinated omission)
                            if (count < lat.length)
                                lat[count++] = System.nanoTime() - (rate > 0 ? Math.min(due, t0) : t0);
                        }
                        lat[lat.length - 1] = count;
                    },
                    "loadgen-" + w);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) t.join();
    }

    private void report(long start, List<long[]> latencies, AtomicLong acked, AtomicLong failed) {
        double secs = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long[] l : latencies) total += l[l.length - 1];
        long[] all = new long[(int) total];
        int i = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, i, n);
            i += n;
        }
        Arrays.sort(all);
        System.out.printf(
                "loadgen " + format
                        + ": %d events acked, %d failed in %.1f s = %.0f events/s (%d-event batches, %d in flight%s)%n",
                acked.get(),
                failed.get(),
                secs,
                acked.get() / secs,
                batch,
                concurrency,
                rate > 0 ? ", target " + rate + "/s" : "");
        if (all.length > 0) {
            System.out.printf(
                    "ack latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6);
        }
    }
}
