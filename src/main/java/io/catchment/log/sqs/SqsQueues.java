package io.catchment.log.sqs;

import io.catchment.config.CatchmentConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The SQS client and the two queues Catchment uses: the queue of accepted events and the dead-letter queue its redrive
 * policy moves messages to after {@code sqs.max_receive_count} receives. Opening resolves both (a name is looked up; a
 * URL is used as is) and, with {@code sqs.create}, creates what is missing: the dead-letter queue, then the queue with
 * 14 days' retention, the visibility timeout, 20 s long polling, the largest message size and the redrive policy.
 * Credentials come from the AWS SDK's default chain (environment, system properties, profile, container or instance
 * role). Thread-safe; the backlog reading is cached for a second, as {@code /metrics} and {@code /readyz} ask often.
 */
public final class SqsQueues implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(SqsQueues.class);
    static final int FOURTEEN_DAYS = 14 * 24 * 3600;

    private final CatchmentConfig.Sqs config;
    private final SqsClient client;
    private final String url;
    private final String deadLetterUrl;
    private final SqsRetries retries = new SqsRetries();
    private volatile Backlog backlog = new Backlog(-1, -1, -1, 0);

    /** Messages waiting, in work (received, not deleted), and in the dead-letter queue; -1 when unknown. */
    public record Backlog(long visible, long inFlight, long dead, long readAtNanos) {}

    static {
        // The SDK's HTTP client is the JDK's HttpURLConnection, which by default sends a POST again on its own when
        // it could not read the answer: for SQS a second SendMessageBatch (the same events twice) or a second
        // ReceiveMessage whose first answer is lost (its messages invisible until the visibility timeout). The SDK
        // decides on retries itself. Takes effect if set before the JDK's HTTP client is first used in the process.
        if (System.getProperty("sun.net.http.retryPost") == null) System.setProperty("sun.net.http.retryPost", "false");
    }

    public SqsQueues(CatchmentConfig.Sqs config) throws IOException {
        this.config = config;
        var b = SqsClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build())
                .region(region(config.region()))
                .overrideConfiguration(
                        o -> o.apiCallTimeout(Duration.ofSeconds(35)).addExecutionInterceptor(retries));
        if (!config.endpoint().isEmpty()) b.endpointOverride(URI.create(config.endpoint()));
        this.client = b.build();
        try {
            String dlq = config.deadLetterQueue().isEmpty() ? null : resolve(config.deadLetterQueue(), null);
            this.url = resolve(config.queue(), dlq);
            this.deadLetterUrl = dlq != null ? dlq : redriveTarget(url);
        } catch (SdkException e) {
            client.close();
            throw new IOException("cannot open the SQS queue " + config.queue() + ": " + e.getMessage(), e);
        }
        LOG.info("SQS log: queue {}, dead-letter queue {}", url, deadLetterUrl);
    }

    private static Region region(String configured) {
        if (!configured.isEmpty()) return Region.of(configured);
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    /** The URL of a queue given by name or URL; created when missing (with its dead-letter queue when redriving). */
    private String resolve(String queue, String redriveTo) {
        if (queue.startsWith("http://") || queue.startsWith("https://")) return queue;
        try {
            return client.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            if (!config.create()) throw e;
        }
        boolean main = queue.equals(config.queue());
        Map<QueueAttributeName, String> attrs = new java.util.HashMap<>();
        attrs.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, String.valueOf(FOURTEEN_DAYS));
        if (main) {
            String dlq = redriveTo != null ? redriveTo : resolve(queue + "-dlq", null);
            String arn = client.getQueueAttributes(r -> r.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes()
                    .get(QueueAttributeName.QUEUE_ARN);
            attrs.put(
                    QueueAttributeName.VISIBILITY_TIMEOUT,
                    String.valueOf(config.visibilityTimeout().toSeconds()));
            attrs.put(QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS, "20");
            attrs.put(
                    QueueAttributeName.MAXIMUM_MESSAGE_SIZE,
                    String.valueOf(Math.min(config.maxMessageBytes(), 262144)));
            attrs.put(
                    QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"" + config.maxReceiveCount()
                            + "\"}");
        }
        String created =
                client.createQueue(r -> r.queueName(queue).attributes(attrs)).queueUrl();
        LOG.info("Created SQS queue {} ({})", created, attrs);
        return created;
    }

    private String queueUrl(String name) {
        return client.getQueueUrl(r -> r.queueName(name)).queueUrl();
    }

    /** The dead-letter queue named by the queue's redrive policy, or null when it has none. */
    private String redriveTarget(String queueUrl) {
        String policy = client.getQueueAttributes(
                        r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes()
                .get(QueueAttributeName.REDRIVE_POLICY);
        if (policy == null || policy.isEmpty()) return null;
        var m = java.util.regex.Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"[^\"]*:([^\":]+)\"")
                .matcher(policy);
        return m.find() ? queueUrl(m.group(1)) : null;
    }

    public SqsClient client() {
        return client;
    }

    public String url() {
        return url;
    }

    /** The dead-letter queue's URL, or null when the queue has no redrive policy. */
    public String deadLetterUrl() {
        return deadLetterUrl;
    }

    /** The SDK's own retries of SQS calls so far, by operation ({@link SqsRetries}). */
    public Map<String, Long> retried() {
        return retries.byOperation();
    }

    /** The visibility timeout every receive asks for ({@code sqs.visibility_timeout}, whole seconds). */
    int visibilitySeconds() {
        return (int) config.visibilityTimeout().toSeconds();
    }

    public CatchmentConfig.Sqs config() {
        return config;
    }

    /** The queue's name, for the store's consumer names. */
    public String name() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The backlog from the queues' approximate counts (read at most once a second); -1s when SQS cannot be read. */
    public Backlog backlog() {
        Backlog b = backlog;
        if (System.nanoTime() - b.readAtNanos() < 1_000_000_000L && b.visible() >= 0) return b;
        try {
            var a = client.getQueueAttributes(r -> r.queueUrl(url)
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            long dead = -1;
            if (deadLetterUrl != null) {
                dead = Long.parseLong(client.getQueueAttributes(r -> r.queueUrl(deadLetterUrl)
                                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
            }
            b = new Backlog(
                    Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                    Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)),
                    dead,
                    System.nanoTime());
        } catch (SdkException | NumberFormatException e) {
            LOG.debug("cannot read the SQS queue's attributes", e);
            b = new Backlog(-1, -1, -1, System.nanoTime());
        }
        backlog = b;
        return b;
    }

    @Override
    public void close() {
        client.close();
    }
}
