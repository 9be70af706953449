package io.catchment.log.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SqsBatcherTest {
    static final int BODY = 16 << 10;
    final SqsBatcher batcher = new SqsBatcher(SqsCodec.binaryBudget(BODY), BODY);
    final ExecutorService sender = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        sender.shutdownNow();
    }

    private static SqsBatcher.Waiting record(int bytes) {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        return new SqsBatcher.Waiting(List.of(b), b.length, new CompletableFuture<>());
    }

    @Test
    void with_nothing_in_flight_a_record_goes_at_once() throws Exception {
        batcher.add(record(100));
        batcher.next(1000);
        batcher.sent(); // the first batch, sent: nothing in flight
        batcher.add(record(100));
        long t0 = System.nanoTime();
        SqsBatcher.Batch b = batcher.next(1000);
        assertThat(b.records()).hasSize(1);
        assertThat(System.nanoTime() - t0).isLessThan(SqsBatcher.MAX_GATHER_NANOS);
    }

    @Test
    void while_a_batch_is_in_flight_the_next_gathers_until_it_is_sent() throws Exception {
        batcher.add(record(100));
        assertThat(batcher.next(1000).records()).hasSize(1); // in flight
        for (int i = 0; i < 5; i++) batcher.add(record(100));
        Future<SqsBatcher.Batch> next = sender.submit(() -> batcher.next(1000));
        Thread.sleep(100);
        assertThat(next.isDone()).as("waits for the batch in flight").isFalse();
        batcher.sent();
        SqsBatcher.Batch b = next.get(5, TimeUnit.SECONDS);
        assertThat(b.records()).hasSize(5);
        assertThat(b.packed().bodies()).hasSize(1); // five requests in one message
    }

    @Test
    void a_message_worth_waiting_goes_beside_the_batch_in_flight() throws Exception {
        batcher.add(record(100));
        assertThat(batcher.next(1000).records()).hasSize(1); // in flight, never sent
        int budget = SqsCodec.binaryBudget(BODY);
        for (int i = 0; i < 4; i++) batcher.add(record(budget / 3));
        long t0 = System.nanoTime();
        SqsBatcher.Batch b = sender.submit(() -> batcher.next(1000)).get(1, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).isLessThan(SqsBatcher.MAX_GATHER_NANOS);
        assertThat(b.records()).hasSize(3); // a message's worth: a batch holds no more than one message's size
    }

    @Test
    void a_batch_in_flight_too_long_holds_the_next_no_longer_than_the_gather_limit() throws Exception {
        batcher.add(record(100));
        assertThat(batcher.next(1000).records()).hasSize(1); // in flight, never sent
        batcher.add(record(100));
        long t0 = System.nanoTime();
        SqsBatcher.Batch b = sender.submit(() -> batcher.next(1000)).get(5, TimeUnit.SECONDS);
        assertThat(b.records()).hasSize(1);
        assertThat(System.nanoTime() - t0).isBetween(SqsBatcher.MAX_GATHER_NANOS, 4 * SqsBatcher.MAX_GATHER_NANOS);
        assertThat(batcher.isEmpty()).isTrue();
    }

    @Test
    void with_a_linger_a_lone_record_waits_for_others_to_share_its_message_then_goes() throws Exception {
        SqsBatcher lingering = new SqsBatcher(SqsCodec.binaryBudget(BODY), BODY, java.time.Duration.ofMillis(200));
        lingering.add(record(100));
        long t0 = System.nanoTime();
        Future<SqsBatcher.Batch> next = sender.submit(() -> lingering.next(1000));
        Thread.sleep(100);
        assertThat(next.isDone()).as("nothing in flight, but it lingers").isFalse();
        lingering.add(record(100)); // arrives within the linger: same message
        SqsBatcher.Batch b = next.get(5, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(b.records()).hasSize(2);
        assertThat(b.packed().bodies()).hasSize(1);
    }

    @Test
    void with_a_linger_a_message_worth_waiting_goes_at_once() throws Exception {
        SqsBatcher lingering = new SqsBatcher(SqsCodec.binaryBudget(BODY), BODY, java.time.Duration.ofMillis(250));
        for (int i = 0; i < 40; i++) lingering.add(record(1000));
        long t0 = System.nanoTime();
        assertThat(lingering.next(1000).records()).isNotEmpty();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(125));
    }
}
