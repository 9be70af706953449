package io.catchment.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.collector.HttpProblem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class QuerySlotsTest {
    @Test
    void a_query_past_the_limit_waits_for_a_slot_and_then_runs() throws Exception {
        QuerySlots slots = new QuerySlots(1, Duration.ofSeconds(10));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> slots.run(() -> {
            started.countDown();
            await(finish);
            return "first";
        }));
        started.await();
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> slots.run(() -> "second"));
        while (slots.waiting() == 0) Thread.sleep(5); // the second query is queued for the one slot
        assertThat(second).isNotDone();
        assertThat(slots.running()).isEqualTo(1);
        finish.countDown();
        assertThat(first.get()).isEqualTo("first");
        assertThat(second.get()).isEqualTo("second");
        assertThat(slots.running()).isZero();
    }

    @Test
    void a_query_that_waits_past_the_bound_gets_503_with_retry_after() throws Exception {
        QuerySlots slots = new QuerySlots(1, Duration.ofMillis(100));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Object> busy = CompletableFuture.supplyAsync(() -> slots.run(() -> {
            started.countDown();
            return await(finish);
        }));
        started.await();
        assertThatThrownBy(() -> slots.run(() -> "late")).isInstanceOfSatisfying(HttpProblem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.reason()).isEqualTo("query_busy");
            assertThat(p.body()).containsEntry("retry_after", 1L);
            assertThat(p.getMessage()).contains("1 queries are already running", "query.max_concurrent", "100 ms");
        });
        finish.countDown();
        busy.get();
    }

    @Test
    void a_slot_is_released_when_the_query_throws() {
        QuerySlots slots = new QuerySlots(1, Duration.ZERO);
        assertThatThrownBy(() -> slots.run(() -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        assertThat(slots.run(() -> "next")).isEqualTo("next");
    }

    private static Object await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
