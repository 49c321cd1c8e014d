package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The Tier 2 store: exactly one of {@code s3} and {@code azure}.
 *
 * @param s3 an S3 or S3-compatible bucket
 * @param azure an Azure Blob Storage container
 */
public record Tier2(
    @JsonPropertyDescription("An S3 or S3-compatible bucket.") S3Store s3,
    @JsonPropertyDescription("An Azure Blob Storage container.") AzureStore azure) {}
