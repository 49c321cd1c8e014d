package io.klio.storage.fs;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.storage.BlobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem store passes the contract every backend must pass. */
class FsBlobStoreContractTest extends BlobStoreContract {

  @TempDir Path dir;

  @Override
  protected BlobStore openStore() throws Exception {
    return BlobStores.open(dir.toUri().toString());
  }
}
