package io.catchment.log.sqs;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the AWS SDK's own retries of SQS calls, by operation, and logs each with what the attempt before it got (an
 * HTTP status, or no answer). A retry can repeat what the lost attempt did: a {@code SendMessageBatch} whose answer
 * was lost puts its messages in the queue twice (the duplicate check drops the events), a {@code ReceiveMessage}
 * whose answer was lost leaves its messages invisible until the visibility timeout. Thread-safe.
 */
final class SqsRetries implements ExecutionInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(SqsRetries.class);
    private static final ExecutionAttribute<Attempts> ATTEMPTS = new ExecutionAttribute<>("catchment.sqs.attempts");

    private final Map<String, LongAdder> retried = new ConcurrentHashMap<>();

    /** One call's attempts so far, and what the last one got. */
    private static final class Attempts {
        int made;
        String got = "no answer";
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(ATTEMPTS, new Attempts());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Attempts a = attributes.getAttribute(ATTEMPTS);
        if (a == null) return;
        if (a.made++ > 0) {
            String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            retried.computeIfAbsent(op, k -> new LongAdder()).increment();
            LOG.warn("SQS {} sent again by the SDK (attempt {}) after {}", op, a.made, a.got);
        }
        a.got = "no answer (connection failed or timed out)";
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Attempts a = attributes.getAttribute(ATTEMPTS);
        if (a != null) a.got = "HTTP " + context.httpResponse().statusCode();
    }

    /** Retries so far by operation (empty when there were none). */
    Map<String, Long> byOperation() {
        Map<String, Long> out = new TreeMap<>();
        retried.forEach((op, n) -> out.put(op, n.sum()));
        return out;
    }
}
