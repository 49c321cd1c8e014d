package io.klio.storage.azure;

import io.klio.storage.BlobStore;
import io.klio.testkit.azure.Azurite;
import io.klio.testkit.storage.BlobStoreContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure store passes the contract every backend must pass, against a real Azurite, opened
 * through {@code BlobStores.open} with an {@code azure:} URI (so through the ServiceLoader). Blocks
 * of 128 KiB make the contract's 256 KiB objects go up as staged blocks, so its concurrent puts to
 * one key race block lists against each other, and its large object is 3,072 blocks.
 */
class AzureBlobStoreContractIT extends BlobStoreContract {

  @RegisterExtension static final Azurite azurite = new Azurite();

  @TempDir static Path dir;

  private static AzuriteStores stores;

  @BeforeAll
  static void container() {
    stores = new AzuriteStores(azurite, dir);
    stores.createContainer("contract");
  }

  @Override
  protected BlobStore openStore() throws Exception {
    return stores.open("contract/tier2", Map.of(AzureConfig.BLOCK_SIZE, "1MiB"));
  }
}
