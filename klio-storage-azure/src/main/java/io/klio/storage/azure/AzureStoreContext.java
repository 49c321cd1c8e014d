package io.klio.storage.azure;

import com.azure.storage.blob.BlobAsyncClient;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.klio.storage.BlobKey;
import java.util.concurrent.ExecutorService;

/** What the parts of one store share: its settings, its SDK client, its errors, its threads. */
record AzureStoreContext(
    AzureConfig config,
    BlobContainerClient container,
    BlobContainerAsyncClient asyncContainer,
    AzureErrors errors,
    ExecutorService uploads) {

  /** The blob name of {@code key}: the URI's prefix, a slash, the key. */
  String name(BlobKey key) {
    return config.prefix().isEmpty() ? key.value() : config.prefix() + "/" + key.value();
  }

  /** The name prefix of every object of this store: empty, or the URI's prefix and a slash. */
  String root() {
    return config.prefix().isEmpty() ? "" : config.prefix() + "/";
  }

  BlockBlobClient blob(BlobKey key) {
    return container.getBlobClient(name(key)).getBlockBlobClient();
  }

  /** The asynchronous client, for the one thing it does better: streaming a response body. */
  BlobAsyncClient asyncBlob(BlobKey key) {
    return asyncContainer.getBlobAsyncClient(name(key));
  }
}
