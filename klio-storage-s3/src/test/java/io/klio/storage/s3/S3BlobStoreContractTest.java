package io.klio.storage.s3;

import io.klio.storage.BlobStore;
import io.klio.testkit.storage.BlobStoreContract;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The S3 store passes the contract every backend must pass, against S3Proxy on loopback, through
 * {@code BlobStores.open} with an {@code s3:} URI (so ServiceLoader finds the provider). Small
 * parts (5 MiB, S3's smallest), so that the 384 MiB object goes up as a multipart upload of many
 * parts in parallel, with at most 8 part buffers (40 MiB) in this JVM's 256 MiB heap.
 */
class S3BlobStoreContractTest extends BlobStoreContract {

  @BeforeAll
  static void bucket() throws Exception {
    S3ProxyServer.shared().bucket("contract");
  }

  /**
   * 1,000 keys instead of 2,500: S3Proxy's stores walk the whole prefix on every ListObjectsV2
   * request, so the contract's pass with 7-key pages costs time quadratic in the key count (20 s at
   * 2,500 keys). S3 itself pages in constant time.
   */
  @Override
  protected int listingKeyCount() {
    return 1_000;
  }

  @Override
  protected BlobStore openStore() throws Exception {
    return S3ProxyServer.shared()
        .open(
            "contract/tier2",
            // S3Proxy's GET reads an object's metadata and its bytes at different moments (its
            // issue #490), so while the contract overwrites one key under a reader, the checksum
            // in the metadata may belong to another version than the bytes: the store rightly
            // calls that corrupt. S3 itself answers with one version; S3BlobStoreTest checks reads.
            Map.of("partSize", "5MiB", "uploadThreads", "4", "verifyReads", "false"));
  }
}
