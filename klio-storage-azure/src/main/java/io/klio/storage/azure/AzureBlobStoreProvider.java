package io.klio.storage.azure;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The {@code azure:} scheme: {@code azure://<account>/<container>[/<prefix>]}, with options in the
 * options map or the URI's query ({@code ?endpoint=…&tier=cool}). The options are listed in {@code
 * docs/storage-backends.md}: {@code endpoint}, {@code auth} and the secret files {@code
 * connection-string-file}, {@code account-key-file}, {@code sas-token-file}, the identities' {@code
 * client-id} and {@code tenant-id}, {@code tier}, {@code block-size}, {@code parallelism}, {@code
 * max-tries}, {@code try-timeout-seconds}.
 *
 * <p>Opening a store reads the secret file and builds the client; it does not touch the network, so
 * a server starts while the storage is unreachable, and wrong credentials show on the first
 * request, in an error that names the store, the endpoint and the credential's file.
 */
public final class AzureBlobStoreProvider implements BlobStoreProvider {

  @Override
  public String scheme() {
    return "azure";
  }

  @Override
  public Set<String> optionNames() {
    return AzureConfig.OPTIONS;
  }

  @Override
  public BlobStore open(URI uri, Map<String, String> options) throws IOException {
    AzureConfig config = AzureConfig.parse(uri, options);
    AzureClients.Containers c = AzureClients.containers(config);
    AzureErrors errors = new AzureErrors(config, c.sync().getBlobContainerUrl());
    return new AzureBlobStore(
        new AzureStoreContext(
            config, c.sync(), c.async(), errors, AzureBlobStore.uploadThreads(config.describe())));
  }
}
