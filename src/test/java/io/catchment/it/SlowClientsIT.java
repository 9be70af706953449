package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients cannot exhaust the server: 500 connections trickling their headers or their bodies a byte at a time
 * while normal requests keep their latency; the trickling bodies are cut with 408, oversized headers get 431.
 */
@Timeout(180)
class SlowClientsIT {
    static final String KEY = "slow_write_key";
    static final String ADMIN = "slow_admin_key";

    @TempDir
    Path dir;

    /** Latencies in ms of {@code n} sequential one-event requests, all of which must be answered 200. */
    private static List<Double> latencies(InProcessServer s, int n, String tag) throws Exception {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Http.Reply r = Http.post(
                    s.base + "/v1/events", KEY, "{\"id\":\"" + tag + i + "\",\"event\":\"Ping\",\"userId\":\"u\"}");
            out.add((System.nanoTime() - t0) / 1e6);
            assertThat(r.status()).as(tag + i + ": " + r.body()).isEqualTo(200);
        }
        Collections.sort(out);
        return out;
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
    }

    @Test
    void five_hundred_trickling_connections_do_not_slow_normal_requests_and_are_cut() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, KEY, ADMIN, "http.idle_timeout", "10s")) {
            latencies(s, 20, "warm-");
            List<Double> idle = latencies(s, 60, "idle-");
            int port = Integer.parseInt(s.base.substring(s.base.lastIndexOf(':') + 1));
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 500; i++) {
                    Socket k = new Socket("127.0.0.1", port);
                    k.setSoTimeout(20_000);
                    slow.add(k);
                    OutputStream o = k.getOutputStream();
                    if (i % 2 == 0) { // a body a byte at a time
                        o.write(("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                                        + "\r\nContent-Length: 100000\r\n\r\n{")
                                .getBytes(StandardCharsets.US_ASCII));
                    } else { // headers a byte at a time
                        o.write("POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    }
                    o.flush();
                }
                CountDownLatch trickling = new CountDownLatch(2);
                Thread ticker = new Thread(
                        () -> {
                            try {
                                for (int t = 0; t < 60; t++) {
                                    for (Socket k : slow) {
                                        try {
                                            k.getOutputStream().write(' ');
                                        } catch (Exception closed) {
                                            // cut by the server: what the test waits for
                                        }
                                    }
                                    trickling.countDown();
                                    Thread.sleep(500); // the trickle's pace
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "trickle");
                ticker.setDaemon(true);
                ticker.start();
                // measured once every slow connection has trickled twice
                assertThat(trickling.await(30, TimeUnit.SECONDS)).isTrue();
                List<Double> busy = latencies(s, 60, "busy-");
                assertThat(pct(busy, 0.5)).as("median ms, idle %s", idle).isLessThanOrEqualTo(3 * pct(idle, 0.5) + 20);
                assertThat(pct(busy, 0.95))
                        .as("p95 ms, idle %s, busy %s", idle, busy)
                        .isLessThanOrEqualTo(Math.max(3 * pct(idle, 0.95), 100));
                // a trickling body is cut with 408 (the rate is far under http.min_request_rate)
                Map<String, Integer> answers = new java.util.TreeMap<>();
                for (int i = 0; i < slow.size(); i += 2)
                    answers.merge(answer(slow.get(i)).strip(), 1, Integer::sum);
                assertThat(answers)
                        .as("what the trickling bodies were answered")
                        .containsOnlyKeys("HTTP/1.1 408 Request Timeout");
                ticker.interrupt();
            } finally {
                for (Socket k : slow) k.close();
            }
        }
    }

    @Test
    void headers_over_the_limit_get_431() throws Exception {
        try (InProcessServer s = new InProcessServer(dir, KEY, ADMIN)) {
            Http.Reply r = Http.post(
                    s.base + "/v1/events",
                    KEY,
                    "{\"event\":\"x\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8),
                    Map.of("X-Big", "x".repeat(10_000)));
            assertThat(r.status()).isEqualTo(431);
        }
    }

    /** The first line the server answers on a connection, or "" when it closed it without one. */
    private static String answer(Socket k) throws Exception {
        InputStream in = k.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            for (int c; (c = in.read()) >= 0 && c != '\n'; ) line.append((char) c);
        } catch (java.io.IOException e) {
            // reset by the server after its answer
        }
        return line.toString();
    }
}
