package io.klio.storage.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.azure.Azurite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Stores on an Azurite of the test: containers made with the SDK, the key in a file. */
final class AzuriteStores {

  private final Azurite azurite;
  private final Path keyFile;

  AzuriteStores(Azurite azurite, Path dir) {
    this.azurite = azurite;
    this.keyFile = dir.resolve("account-key");
    try {
      Files.writeString(keyFile, Azurite.KEY + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SDK's own client of the Azurite account, to arrange and inspect what tests need. */
  BlobServiceClient service() {
    return new BlobServiceClientBuilder()
        .connectionString(azurite.connectionString())
        .buildClient();
  }

  BlobContainerClient createContainer(String name) {
    BlobContainerClient c = service().getBlobContainerClient(name);
    c.createIfNotExists();
    return c;
  }

  URI uri(String containerAndPrefix) {
    return URI.create(
        "azure://"
            + Azurite.ACCOUNT
            + "/"
            + containerAndPrefix
            + "?endpoint="
            + azurite.blobEndpoint());
  }

  Path keyFile() {
    return keyFile;
  }

  /** A store on {@code containerAndPrefix} with the account key and {@code more} options. */
  BlobStore open(String containerAndPrefix, Map<String, String> more) throws IOException {
    Map<String, String> options = new HashMap<>(more);
    if (!options.containsKey(AzureConfig.AUTH)
        && !options.containsKey(AzureConfig.SAS_TOKEN_FILE)
        && !options.containsKey(AzureConfig.CONNECTION_STRING_FILE)) {
      options.putIfAbsent(AzureConfig.ACCOUNT_KEY_FILE, keyFile.toString());
    }
    return BlobStores.open(uri(containerAndPrefix), options);
  }
}
