package io.catchment.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimit limit = new RateLimit(10, now::get);

    private void seconds(double s) {
        now.addAndGet((long) (s * 1e9));
    }

    @Test
    void a_burst_of_one_second_then_the_rate() {
        for (int i = 0; i < 10; i++) assertThat(limit.take("web", 1)).isZero();
        // the bucket is empty, not in debt: one more is taken and leaves a debt of one event
        assertThat(limit.take("web", 1)).isZero();
        assertThat(limit.take("web", 1)).isEqualTo(1);
        seconds(0.1);
        assertThat(limit.take("web", 1)).isZero();
    }

    @Test
    void a_large_request_is_taken_whole_and_its_debt_is_paid_back_first() {
        assertThat(limit.take("web", 95)).isZero();
        assertThat(limit.take("web", 1)).as("85 events of debt at 10/s").isEqualTo(9);
        seconds(8);
        assertThat(limit.take("web", 1)).isEqualTo(1);
        seconds(0.5);
        assertThat(limit.take("web", 1)).isZero();
    }

    @Test
    void sources_have_their_own_buckets_and_a_refusal_costs_nothing() {
        assertThat(limit.take("web", 20)).isZero();
        for (int i = 0; i < 100; i++) assertThat(limit.take("web", 1)).isPositive();
        assertThat(limit.take("app", 10)).isZero();
        seconds(1);
        assertThat(limit.take("web", 1)).as("refusals did not add to the debt").isZero();
    }

    @Test
    void the_bucket_never_holds_more_than_one_second() {
        seconds(3600);
        assertThat(limit.take("web", 10)).isZero();
        assertThat(limit.take("web", 1)).isZero();
        assertThat(limit.take("web", 1)).isPositive();
    }

    @Test
    void rate_zero_is_no_limit() {
        RateLimit none = new RateLimit(0, now::get);
        for (int i = 0; i < 1000; i++) assertThat(none.take("web", 1_000_000)).isZero();
    }
}
