package io.catchment.sources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Known vectors of lz-string 1.4's compressToBase64. */
class LzStringTest {
  @Test
  void decompresses_known_vectors() {
    assertThat(LzString.decompressFromBase64("BYUwNmD2AEDukCcwBMg=")).isEqualTo("hello world");
    assertThat(LzString.decompressFromBase64(
        "r6ABsK6KaAD2aLCADWBfgBPQ9oCAlAZAvgDobEARlB4QAEOAjAUxAGd4BL5AZ4BMBPAQiA=="))
        .isEqualTo("Žluťoučký kůň úpěl ďábelské ódy!");
  }

  @Test
  void refuses_what_is_not_lz_string() {
    assertThat(LzString.decompressFromBase64("not base64 at all!")).isNull();
  }
}
