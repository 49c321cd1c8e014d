package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The Tier 2 store: exactly one of {@code s3} and {@code azure}.
 *
 * @param s3 an S3 or S3-compatible bucket
 * @param azure an Azure Blob Storage container
 */
@ValidationRule(
    value = "has(self.s3) != has(self.azure)",
    message = "spec.tier2: set exactly one of s3 and azure")
public record Tier2(
    @JsonPropertyDescription("An S3 or S3-compatible bucket.") S3Store s3,
    @JsonPropertyDescription("An Azure Blob Storage container.") AzureStore azure) {}
