package io.catchment.log.sqs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catchment.config.ConfigLoader;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqsQueuesTest {
    @Test
    void aFifoQueueIsRefusedBeforeAnythingIsSentWithTheReason() {
        for (String queue : new String[] {
            "catchment-events.fifo", "https://sqs.eu-west-1.amazonaws.com/123456789012/catchment-events.fifo"
        }) {
            var config = new ConfigLoader(Map.of("CATCHMENT_LOG_TYPE", "sqs", "CATCHMENT_SQS_QUEUE", queue))
                    .load(null, Map.of())
                    .sqs();
            // no endpoint is reachable here: the refusal comes before the client's first call
            assertThatThrownBy(() -> new SqsQueues(config))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("sqs.queue is " + queue + ", a FIFO queue")
                    .hasMessageContaining("needs a standard queue");
        }
        assertThatThrownBy(() -> SqsQueues.refuseFifo("sqs.dead_letter_queue", "catchment-events-dlq.fifo"))
                .hasMessageStartingWith("sqs.dead_letter_queue is catchment-events-dlq.fifo, a FIFO queue");
    }

    @Test
    void standardQueuesPass() {
        for (String queue : new String[] {"catchment-events", "fifo", "events-fifo", "", "https://x/q/fifo"}) {
            assertThatCode(() -> SqsQueues.refuseFifo("sqs.queue", queue)).doesNotThrowAnyException();
        }
    }
}
