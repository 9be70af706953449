package io.catchment.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Seeded export archives as the SaaS products write them, for import tests and benchmarks: Amplitude's zip of
 * gzipped NDJSON ({@code <project>/<project>_<YYYY-MM-DD>_<H>#<n>.json.gz}, keys sorted, times as
 * {@code YYYY-MM-DD HH:MM:SS.ffffff} UTC, ~800 bytes a line) and Mixpanel's raw NDJSON ({@code time} in seconds).
 * Event i of a seed is always the same line, so tests can recompute what they expect.
 */
public final class ExportGenerator {
    static final String[] NAMES = {
        "Song Played",
        "Song Liked",
        "Playlist Created",
        "Ad Shown",
        "Signed Up",
        "Subscription Started",
        "Search",
        "Share",
        "Download",
        "Login"
    };
    private static final DateTimeFormatter AMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    public static final long START = Instant.parse("2023-01-01T00:00:00Z").toEpochMilli();

    private ExportGenerator() {}

    /** Time of event {@code i} (ms): 1.8 s apart from 2023-01-01, so 2,000 events per hour. */
    public static long timeOf(long i) {
        return START + i * 1800;
    }

    /** Amplitude export line for event {@code i}. */
    public static String amplitudeLine(long seed, long i) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + i);
        String t = AMP.format(Instant.ofEpochMilli(timeOf(i)));
        String upload = AMP.format(Instant.ofEpochMilli(timeOf(i) + 2500));
        int user = r.nextInt(5000);
        String name = NAMES[(int) (i % NAMES.length)];
        return "{\"$insert_id\":\"" + seed + "-" + i + "\",\"amplitude_attribution_ids\":"
                + (i % 7 == 0 ? "[\"a1\"]" : "null")
                + ",\"amplitude_id\":" + (100000 + user) + ",\"app\":123456,\"city\":\""
                + (i % 2 == 0 ? "Paris" : "Berlin")
                + "\",\"client_event_time\":\"" + t + "\",\"client_upload_time\":\"" + upload
                + "\",\"country\":\"France\","
                + "\"data\":{\"group_first_event\":{},\"group_ids\":{}},\"device_brand\":null,\"device_carrier\":null,"
                + "\"device_family\":\"iOS\",\"device_id\":\"dev-" + user + "\",\"device_manufacturer\":\"Apple\","
                + "\"device_model\":\"iPhone\",\"device_type\":\"Apple iPhone\",\"dma\":null,\"event_id\":" + (i % 1000)
                + ",\"event_properties\":{\"duration\":" + r.nextInt(600) + ",\"genre\":\"g" + r.nextInt(20)
                + "\",\"price\":" + (r.nextInt(10000) / 100.0) + ",\"premium\":" + r.nextBoolean()
                + ",\"track_id\":\"t-"
                + r.nextInt(100000) + "\"},\"event_time\":\"" + t + "\",\"event_type\":\"" + name
                + "\",\"global_user_properties\":{},"
                + "\"group_properties\":{},\"groups\":{},\"idfa\":null,\"ip_address\":\"10.0." + r.nextInt(256) + "."
                + r.nextInt(256)
                + "\",\"is_attribution_event\":false,\"language\":\"English\",\"library\":\"amplitude-ios/8.17.0\","
                + "\"location_lat\":48.85,\"location_lng\":2.35,\"os_name\":\"ios\",\"os_version\":\"17.1\",\"paying\":null,"
                + "\"platform\":\"iOS\",\"processed_time\":\"" + upload
                + "\",\"region\":\"Ile-de-France\",\"sample_rate\":null,"
                + "\"server_received_time\":\"" + upload + "\",\"server_upload_time\":\"" + upload
                + "\",\"session_id\":"
                + (timeOf(i) / 600000 * 600000)
                + ",\"start_version\":\"5.2.0\",\"user_creation_time\":\"2022-06-01 00:00:00.000000\","
                + "\"user_id\":\"user-" + user + "\",\"user_properties\":{\"plan\":\""
                + (user % 3 == 0 ? "pro" : "free")
                + "\"},\"uuid\":\"" + new java.util.UUID(seed, i) + "\",\"version_name\":\"5.2.1\"}";
    }

    /**
     * Writes an Amplitude export zip of {@code events} events: hourly members of {@code partSize} events each, every
     * member a gzip of NDJSON. {@code badEvery} > 0 replaces every Nth line by a broken one (not counted as an event).
     */
    public static void amplitudeZip(Path zip, long seed, long events, int partSize, long badEvery) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.setLevel(1);
            long i = 0;
            int part = 0;
            while (i < events) {
                long hour = timeOf(i) / 3_600_000 * 3_600_000;
                Instant h = Instant.ofEpochMilli(hour);
                String day = DateTimeFormatter.ISO_LOCAL_DATE
                        .withZone(ZoneOffset.UTC)
                        .format(h);
                int hh = h.atZone(ZoneOffset.UTC).getHour();
                z.putNextEntry(new ZipEntry("123456/123456_" + day + "_" + hh + "#" + (part++) + ".json.gz"));
                GZIPOutputStream g = new GZIPOutputStream(new NonClosing(z), 1 << 16);
                Writer w = new OutputStreamWriter(g, StandardCharsets.UTF_8);
                for (int n = 0; n < partSize && i < events; n++, i++) {
                    if (badEvery > 0 && i % badEvery == badEvery - 1) w.write("{\"event_type\": broken line\n");
                    w.write(amplitudeLine(seed, i));
                    w.write('\n');
                }
                w.flush();
                g.finish();
                z.closeEntry();
            }
        }
    }

    /** Mixpanel raw export line for event {@code i} ({@code time} in seconds). */
    public static String mixpanelLine(long seed, long i) {
        SplittableRandom r = new SplittableRandom(seed * 7_000_003 + i);
        return "{\"event\":\"" + NAMES[(int) (i % NAMES.length)] + "\",\"properties\":{\"time\":" + timeOf(i) / 1000
                + ",\"distinct_id\":\"user-" + r.nextInt(5000) + "\",\"$insert_id\":\"mp-" + seed + "-" + i
                + "\",\"mp_lib\":\"web\",\"$browser\":\"Chrome\",\"$current_url\":\"https://example.com/p/"
                + r.nextInt(100)
                + "\",\"plan\":\"" + (i % 3 == 0 ? "pro" : "free") + "\",\"amount\":" + r.nextInt(1000) + "}}";
    }

    public static void mixpanelNdjson(OutputStream out, long seed, long from, long to) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        for (long i = from; i < to; i++) {
            w.write(mixpanelLine(seed, i));
            w.write('\n');
        }
        w.flush();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
