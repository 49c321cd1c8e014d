package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/**
 * An Azure Blob Storage container as Tier 2. At most one credential; none: the default identity
 * chain (workload or managed identity).
 *
 * @param account the storage account
 * @param container the container
 * @param prefix the blob prefix inside it
 * @param endpoint the blob service URL, when not {@code https://<account>.blob.core.windows.net}
 * @param accountKey the account key, from a Secret
 * @param connectionString a connection string, from a Secret
 * @param sasToken a SAS token, from a Secret
 */
public record AzureStore(
    @Required @JsonPropertyDescription("The storage account.") String account,
    @Required @JsonPropertyDescription("The container.") String container,
    @JsonPropertyDescription("Blob prefix inside the container.") String prefix,
    @JsonPropertyDescription("Blob service URL (private endpoint, sovereign cloud, Azurite).")
        String endpoint,
    @JsonPropertyDescription("Account key, from a Secret.") SecretKeySelector accountKey,
    @JsonPropertyDescription("Connection string, from a Secret.")
        SecretKeySelector connectionString,
    @JsonPropertyDescription("SAS token, from a Secret.") SecretKeySelector sasToken) {}
