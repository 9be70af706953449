package io.catchment.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchPreparerTest {
  @Test
  void an_id_repeats_only_on_the_same_utc_day() {
    Map<String, String> seen = new HashMap<>();
    assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T10:00:00Z")).isFalse();
    assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T23:59:59.999Z")).isTrue();
    assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-02T00:00:00Z")).isFalse(); // another day: another event
    assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-02T08:00:00Z")).isTrue();
    assertThat(BatchPreparer.seenBefore(seen, "a", "2024-05-01T12:00:00Z")).isTrue();
    assertThat(BatchPreparer.seenBefore(seen, "b", "2024-05-01T10:00:00Z")).isFalse();
  }
}
