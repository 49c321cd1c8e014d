package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/**
 * An S3 bucket as Tier 2. Without credentials the SDK's default chain is used (IRSA, instance
 * metadata…).
 *
 * @param bucket the bucket
 * @param prefix the key prefix inside it; none: the bucket's root
 * @param region the bucket's region
 * @param endpoint {@code http(s)://host[:port]} of an S3-compatible server
 * @param accessKeyId the access key id, from a Secret
 * @param secretAccessKey the secret access key, from a Secret
 */
public record S3Store(
    @Required @JsonPropertyDescription("The bucket.") String bucket,
    @JsonPropertyDescription("Key prefix inside the bucket.") String prefix,
    @JsonPropertyDescription("The bucket's region.") String region,
    @JsonPropertyDescription("http(s)://host[:port] of an S3-compatible server.") String endpoint,
    @JsonPropertyDescription("Access key id, from a Secret (AWS_ACCESS_KEY_ID).")
        SecretKeySelector accessKeyId,
    @JsonPropertyDescription("Secret access key, from a Secret (AWS_SECRET_ACCESS_KEY).")
        SecretKeySelector secretAccessKey) {}
