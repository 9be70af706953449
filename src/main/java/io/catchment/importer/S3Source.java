package io.catchment.importer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code s3://bucket/prefix} import sources: every object under the prefix, in key order, streamed (and unpacked by
 * {@link Archives} by its name). Works with AWS and any S3-compatible store: the endpoint, region and path-style
 * access are settable; credentials come from the AWS default chain (environment, profile, instance role).
 */
public final class S3Source implements AutoCloseable {
    /** An object to import and its size (for progress). */
    public record Item(String bucket, String key, long size) {
        public String name() {
            return "s3://" + bucket + "/" + key;
        }
    }

    private final S3Client s3;

    public S3Source(String endpoint, String region, boolean pathStyle) {
        var b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(region == null || region.isEmpty() ? "us-east-1" : region))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle)
                        .build());
        if (endpoint != null && !endpoint.isEmpty()) b.endpointOverride(URI.create(endpoint));
        this.s3 = b.build();
    }

    public static boolean isS3(String source) {
        return source.startsWith("s3://");
    }

    /** The objects under {@code s3://bucket/prefix}, in key order (directory markers skipped). */
    public List<Item> list(String uri) throws IOException {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        List<Item> out = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(
                    ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())) {
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/")) out.add(new Item(bucket, o.key(), o.size()));
                }
            }
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparing(Item::key));
        if (out.isEmpty()) throw new IOException(uri + ": no objects under this prefix");
        return out;
    }

    /** Streams one object through {@code v}. */
    public void walk(Item item, java.util.function.UnaryOperator<InputStream> wrap, Archives.Visitor v)
            throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(
                GetObjectRequest.builder().bucket(item.bucket()).key(item.key()).build())) {
            Archives.walk(item.name(), wrap.apply(in), v);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new IOException(item.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
