package io.catchment.collector.vendor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Known vectors of lz-string 1.4's compressToBase64. */
class LzStringTest {
    @Test
    void decompresses_known_vectors() {
        assertThat(LzString.decompressFromBase64("BYUwNmD2AEDukCcwBMg=", 1000)).isEqualTo("hello world");
        assertThat(LzString.decompressFromBase64(
                        "r6ABsK6KaAD2aLCADWBfgBPQ9oCAlAZAvgDobEARlB4QAEOAjAUxAGd4BL5AZ4BMBPAQiA==", 1000))
                .isEqualTo("Žluťoučký kůň úpěl ďábelské ódy!");
    }

    @Test
    void refuses_what_is_not_lz_string() {
        assertThat(LzString.decompressFromBase64("not base64 at all!", 1000)).isNull();
    }

    @Test
    void an_lz64_body_that_never_ends_ends() {
        // found by fuzzing: the port's end-of-input check never fired, so these 9 bytes looped, growing, forever
        assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> assertThat(LzString.decompressFromBase64("BYUwNmDcw", 1 << 20))
                        .isNull());
    }

    @Test
    void a_line_break_alone_is_empty() {
        assertThat(LzString.decompressFromBase64("\n", 1000)).isEmpty();
        assertThat(LzString.decompressFromBase64("\r\n", 1000)).isEmpty();
    }

    @Test
    void output_past_the_limit_is_too_long() {
        // lz-string's compressToBase64("x".repeat(20000)): 232 characters; longer inputs grow quadratically
        String xs =
                "B418ZXTt/DFOS1b0c17Pd/wYUcSaWeRZVdTbXfQ408y62+x519z73/wMFDhI0WPETJU6TNlz5CxUuUrVa9Rs1btO3Xv0HDR4ydNnzFy1es3b"
                        + "d+w8dPnL12/cfPX7z99//AYFBwSGhYeERkVHRMbFx8QmJSckpqWnpGZlZ2Tm5efkFhUXFJaVl5RWVVdU1tXX1DY1NzS2tbe0dnV3dPb19/QODQ8M"
                        + "jo2PjE5NmQA=";
        assertThat(LzString.decompressFromBase64(xs, 20_000)).isEqualTo("x".repeat(20_000));
        assertThatThrownBy(() -> LzString.decompressFromBase64(xs, 19_999)).isInstanceOf(LzString.TooLong.class);
    }
}
