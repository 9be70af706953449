package io.catchment.collector.vendor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.catchment.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzz targets for every ingestion route, one per family: Catchment's own {@code /v1/events}, Segment, Amplitude,
 * Mixpanel (form {@code data=} in base64, GET {@code ?data=}, gzip, {@code /import} NDJSON), PostHog
 * ({@code ?compression=lz64|gzip-js|base64}, form {@code data=}) and lz-string alone. An input is a request written
 * as HTTP ({@link Routes#parse}); a path outside the family is replaced by the family's main route.
 *
 * <p>The contract: every request is answered, 200 with its events appended to the log, or a 4xx; never any other
 * exception (a 500), never a hang, never memory beyond the request limit. Without {@code JAZZER_FUZZ} each target
 * replays its corpus ({@code src/test/resources/io/catchment/collector/vendor/SourcesFuzzTestInputs/<target>/}), and
 * {@link #mutations_of_every_corpus_input_keep_the_contract} runs a seeded mutation sweep of it: docs/fuzzing.md.
 */
class SourcesFuzzTest {
    private static final Routes ROUTES = new Routes();
    private static final Set<String> AMPLITUDE = Set.of("/2/httpapi", "/2/httpapi/", "/batch", "/batch/");
    private static final Set<String> MIXPANEL =
            Set.of("/track", "/track/", "/engage", "/engage/", "/import", "/import/");

    @FuzzTest(maxDuration = "1m")
    void native_events(byte[] input) throws Exception {
        check(Routes.parse(input).withPath("/v1/events"));
    }

    @FuzzTest(maxDuration = "1m")
    void segment(byte[] input) throws Exception {
        Routes.Request r = Routes.parse(input);
        check(Routes.isSegment(r.path()) ? r : r.withPath("/v1/batch"));
    }

    @FuzzTest(maxDuration = "1m")
    void amplitude(byte[] input) throws Exception {
        Routes.Request r = Routes.parse(input);
        check(AMPLITUDE.contains(r.path()) ? r : r.withPath("/2/httpapi"));
    }

    @FuzzTest(maxDuration = "1m")
    void mixpanel(byte[] input) throws Exception {
        Routes.Request r = Routes.parse(input);
        check(MIXPANEL.contains(r.path()) ? r : r.withPath("/track"));
    }

    @FuzzTest(maxDuration = "1m")
    void posthog(byte[] input) throws Exception {
        Routes.Request r = Routes.parse(input);
        check(Routes.isPostHog(r.path()) ? r : r.withPath("/batch"));
    }

    /** lz-string alone: text, null (not lz-string) or too long; never more than the limit, never a hang. */
    /** posthog-js's feature-flag call ({@code /flags}, {@code /decide}): the body in any of its compressions. */
    @FuzzTest(maxDuration = "1m")
    void posthog_flags(byte[] input) throws Exception {
        Routes.Request r = Routes.parse(input);
        String p = r.path().replaceAll("\\?.*$", "");
        check(p.startsWith("/flags") || p.startsWith("/decide") ? r : r.withPath("/flags/"));
    }

    @FuzzTest(maxDuration = "1m")
    void lz_string(byte[] input) {
        int limit = 1 << 16;
        try {
            String s = LzString.decompressFromBase64(new String(input, StandardCharsets.ISO_8859_1), limit);
            if (s != null) assertThat(s.length()).isLessThanOrEqualTo(limit);
        } catch (LzString.TooLong e) {
            // the contract's other outcome: the route answers 413
        }
    }

    private static void check(Routes.Request r) throws Exception {
        long before = ROUTES.records.get();
        Routes.Answer a = ROUTES.call(r);
        assertThat(a.status())
                .as("status of %s %s: %s", r.method(), r.path(), a.body())
                .satisfiesAnyOf(
                        s -> assertThat(s).isEqualTo(200), s -> assertThat(s).isBetween(400, 499));
        if (a.status() != 200 && !r.path().startsWith("/import")) { // Mixpanel's /import keeps the valid records
            assertThat(ROUTES.records.get())
                    .as("nothing appended for a refused request")
                    .isEqualTo(before);
        }
    }

    @TestFactory
    List<DynamicTest> mutations_of_every_corpus_input_keep_the_contract() {
        return List.of(
                sweep("native_events", 600, this::native_events),
                sweep("segment", 600, this::segment),
                sweep("amplitude", 400, this::amplitude),
                sweep("mixpanel", 500, this::mixpanel),
                sweep("posthog", 500, this::posthog),
                sweep("posthog_flags", 300, this::posthog_flags),
                sweep("lz_string", 2000, this::lz_string));
    }

    private static DynamicTest sweep(String target, int count, Mutations.Target run) {
        return DynamicTest.dynamicTest(
                target,
                () -> Mutations.sweep(
                        Mutations.corpus(SourcesFuzzTest.class, target), count, Duration.ofSeconds(120), run));
    }
}
