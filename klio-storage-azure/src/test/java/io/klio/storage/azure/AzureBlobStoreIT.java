package io.klio.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import io.klio.testkit.azure.Azurite;
import io.klio.testkit.io.PatternStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the contract does not cover: blocks, checksums, tiers, each way to authenticate, errors. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AzureBlobStoreIT {

  @RegisterExtension static final Azurite azurite = new Azurite();

  @TempDir static Path dir;

  private static AzuriteStores stores;
  private static BlobContainerClient container;

  @BeforeAll
  static void container() {
    stores = new AzuriteStores(azurite, dir);
    container = stores.createContainer("tests");
  }

  @Test
  void largeObjectGoesUpAsParallelBlocksAndComesBackByteIdentical() throws Exception {
    long size = (40L << 20) + 12_345; // 160 full blocks of 256 KiB and a short one
    try (BlobStore store = stores.open("tests/large", Map.of(AzureConfig.BLOCK_SIZE, "256KiB"))) {
      PatternStream source = new PatternStream(size, 7);
      BlobInfo info = store.put(BlobKey.of("big"), source);
      assertThat(info.size()).isEqualTo(size);

      var blob = container.getBlobClient("large/big");
      assertThat(blob.getBlockBlobClient().listBlocks(BlockListType.COMMITTED).getCommittedBlocks())
          .hasSize(161);
      assertThat(blob.getProperties().getContentMd5())
          .as("the whole object's MD5 is stored")
          .isEqualTo(md5(new PatternStream(size, 7)));

      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = store.get(BlobKey.of("big"))) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
          sha.update(buf, 0, n);
        }
      }
      assertThat(sha.digest()).isEqualTo(source.digest());

      // a range across a block boundary is the same bytes as the source's
      long from = (256L << 10) * 3 - 100;
      byte[] expected = slice(new PatternStream(size, 7), from, 1_000);
      try (InputStream in = store.get(BlobKey.of("big"), from, 1_000)) {
        assertThat(in.readAllBytes()).isEqualTo(expected);
      }
    }
  }

  @Test
  void aPutWhoseBlocksAConcurrentCommitDiscardedLosesTheRaceWhole() throws Exception {
    try (BlobStore store =
        stores.open(
            "tests/race", Map.of(AzureConfig.BLOCK_SIZE, "64KiB", AzureConfig.PARALLELISM, "1"))) {
      BlobKey key = BlobKey.of("contended");
      byte[] slow = new byte[(64 << 10) * 4];
      Arrays.fill(slow, (byte) 's');
      byte[] fast = new byte[(64 << 10) * 3];
      Arrays.fill(fast, (byte) 'f');
      CountDownLatch halfRead = new CountDownLatch(1);
      CountDownLatch fastDone = new CountDownLatch(1);
      // the slow put stages its first blocks, then waits until the fast put has committed
      InputStream paused =
          new ByteArrayInputStream(slow) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
              if (pos >= (64 << 10) * 3 && halfRead.getCount() > 0) {
                halfRead.countDown();
                try {
                  assertThat(fastDone.await(1, TimeUnit.MINUTES)).isTrue();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return super.read(b, off, len);
            }
          };
      CompletableFuture<BlobInfo> slowPut =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return store.put(key, paused);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertThat(halfRead.await(1, TimeUnit.MINUTES)).isTrue();
      // with parallelism 1 a block is handed over only when the one before it is staged, so
      // blocks 0 and 1 are on the service now (block 2 may still be on its way)
      store.put(key, new ByteArrayInputStream(fast));
      fastDone.countDown();
      BlobInfo slowInfo = slowPut.get(1, TimeUnit.MINUTES);
      assertThat(slowInfo.size()).isEqualTo(slow.length);
      byte[] now;
      try (InputStream in = store.get(key)) {
        now = in.readAllBytes();
      }
      // the fast put's commit discarded the slow put's staged blocks (Azure and Azurite both drop
      // a blob's uncommitted blocks on every commit), so the slow put's commit named missing
      // blocks: it counts as the earlier of two overlapping puts, and the fast one's bytes stand
      assertThat(now).isEqualTo(fast);
    }
  }

  @Test
  void aCorruptObjectFailsItsMd5CheckWhenReadWhole() throws Exception {
    try (BlobStore store = stores.open("tests/md5", Map.of())) {
      store.put(BlobKey.of("x"), bytes("the real content"));
      // the object's Content-MD5 no longer matches its bytes
      container
          .getBlobClient("md5/x")
          .setHttpHeaders(new BlobHttpHeaders().setContentMd5(md5(bytes("other content"))));
      InputStream in = store.get(BlobKey.of("x"));
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'x'")
          .hasMessageContaining("failed its MD5 check");
      in.close();
      try (InputStream part = store.get(BlobKey.of("x"), 4, 4)) {
        assertThat(new String(part.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("real");
      }
    }
  }

  @Test
  void theTierOptionSetsTheAccessTierOfEveryUpload() throws Exception {
    try (BlobStore store =
        stores.open(
            "tests/tiered", Map.of(AzureConfig.TIER, "cool", AzureConfig.BLOCK_SIZE, "64KiB"))) {
      store.put(BlobKey.of("small"), bytes("s"));
      store.put(BlobKey.of("staged"), new PatternStream(200_000, 1));
    }
    assertThat(container.getBlobClient("tiered/small").getProperties().getAccessTier())
        .isEqualTo(AccessTier.COOL);
    assertThat(container.getBlobClient("tiered/staged").getProperties().getAccessTier())
        .isEqualTo(AccessTier.COOL);
  }

  @Test
  void anArchivedObjectIsRefusedWithAnErrorThatSaysToRehydrateIt() throws Exception {
    try (BlobStore store = stores.open("tests/cold", Map.of(AzureConfig.TIER, "archive"))) {
      store.put(BlobKey.of("old"), bytes("frozen"));
      assertThat(container.getBlobClient("cold/old").getProperties().getAccessTier())
          .isEqualTo(AccessTier.ARCHIVE);
      assertThatThrownBy(() -> store.get(BlobKey.of("old")).close())
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'old'")
          .hasMessageContaining("Archive tier")
          .hasMessageContaining("rehydrate");
    }
  }

  @Test
  void aWrongAccountKeyIsAClearPermanentErrorNamingTheStoreAndTheKeyFile() throws Exception {
    Path wrong = dir.resolve("wrong-key");
    Files.writeString(wrong, "d3Jvbmcga2V5IGZvciB0aGUgYWNjb3VudA==");
    try (BlobStore store =
        stores.open("tests/denied", Map.of(AzureConfig.ACCOUNT_KEY_FILE, wrong.toString()))) {
      for (ThrowingCall call :
          new ThrowingCall[] {
            () -> store.put(BlobKey.of("k"), bytes("x")),
            () -> store.stat(BlobKey.of("k")),
            () -> store.list("", Optional.empty(), 10),
            () -> store.get(BlobKey.of("k")).close()
          }) {
        assertThatThrownBy(call::run)
            .isInstanceOf(PermanentException.class)
            .hasMessageContaining("azure://devstoreaccount1/tests/denied")
            .hasMessageContaining(azurite.blobEndpoint())
            .hasMessageContaining(wrong.toString())
            .hasMessageContaining("HTTP 403");
      }
      assertThatThrownBy(() -> store.put(BlobKey.of("k"), bytes("x")))
          .hasMessageContaining("'k'")
          .hasMessageContaining("account key does not match account 'devstoreaccount1'");
    }
  }

  @Test
  void aMissingKeyFileFailsTheOpenNamingTheOptionAndThePath() {
    Path none = dir.resolve("no-such-key");
    assertThatThrownBy(
            () -> stores.open("tests/x", Map.of(AzureConfig.ACCOUNT_KEY_FILE, none.toString())))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("account-key-file")
        .hasMessageContaining(none.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void aMissingContainerIsAClearPermanentError() throws Exception {
    try (BlobStore store = stores.open("no-such-container/p", Map.of())) {
      assertThatThrownBy(() -> store.put(BlobKey.of("k"), bytes("x")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("container 'no-such-container' does not exist")
          .hasMessageContaining("'k'")
          .hasMessageContaining(azurite.blobEndpoint());
      assertThatThrownBy(() -> store.stat(BlobKey.of("k")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("container 'no-such-container' does not exist");
      assertThatThrownBy(() -> store.delete(BlobKey.of("k")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("container 'no-such-container' does not exist");
    }
  }

  @Test
  void aSasTokenFromAFileWorksAndAnExpiredOneIsRefusedClearly() throws Exception {
    BlobContainerSasPermission all = BlobContainerSasPermission.parse("racwdl");
    Path good = dir.resolve("sas");
    Files.writeString(
        good,
        "?"
            + container.generateSas(
                new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), all)));
    try (BlobStore store =
        stores.open("tests/sas", Map.of(AzureConfig.SAS_TOKEN_FILE, good.toString()))) {
      store.put(BlobKey.of("a"), bytes("via sas"));
      assertThat(read(store, "a")).isEqualTo("via sas");
      assertThat(store.list("", Optional.empty(), 10).objects()).hasSize(1);
    }
    Path expired = dir.resolve("sas-expired");
    Files.writeString(
        expired,
        container.generateSas(
            new BlobServiceSasSignatureValues(OffsetDateTime.now().minusMinutes(5), all)));
    try (BlobStore store =
        stores.open("tests/sas", Map.of(AzureConfig.SAS_TOKEN_FILE, expired.toString()))) {
      assertThatThrownBy(() -> store.put(BlobKey.of("b"), bytes("x")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining(expired.toString())
          .hasMessageContaining("auth sas")
          .hasMessageContaining("HTTP 403");
    }
  }

  @Test
  void aConnectionStringFromAFileWorksAndMustNameTheUrisAccount() throws Exception {
    Path cs = dir.resolve("connection-string");
    Files.writeString(cs, azurite.connectionString());
    URI uri = URI.create("azure://" + Azurite.ACCOUNT + "/tests/cs");
    try (BlobStore store =
        BlobStores.open(uri, Map.of(AzureConfig.CONNECTION_STRING_FILE, cs.toString()))) {
      store.put(BlobKey.of("a"), bytes("via connection string"));
      assertThat(read(store, "a")).isEqualTo("via connection string");
    }
    assertThatThrownBy(
            () ->
                BlobStores.open(
                    URI.create("azure://otheraccount/tests/cs"),
                    Map.of(AzureConfig.CONNECTION_STRING_FILE, cs.toString())))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("is for account 'devstoreaccount1'")
        .hasMessageContaining("names account 'otheraccount'");
  }

  @Test
  void theServiceLoaderFindsTheProviderAndUriQueryOptionsWork() throws Exception {
    assertThat(BlobStores.providers()).containsKey("azure");
    assertThat(BlobStores.providers().get("azure")).isInstanceOf(AzureBlobStoreProvider.class);
    String uri = stores.uri("tests/loaded") + "&account-key-file=" + stores.keyFile() + "&tier=hot";
    try (BlobStore store = BlobStores.open(uri)) {
      assertThat(store.describe()).isEqualTo("azure://devstoreaccount1/tests/loaded");
      store.put(BlobKey.of("a/b"), bytes("found"));
      assertThat(read(store, "a/b")).isEqualTo("found");
    }
    assertThat(container.getBlobClient("loaded/a/b").exists()).isTrue();
  }

  @Test
  void anUnreachableServiceIsRetryableAfterTheSdksTries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: connections are refused
    }
    String endpoint = "http://127.0.0.1:" + port + "/" + Azurite.ACCOUNT;
    URI uri = URI.create("azure://" + Azurite.ACCOUNT + "/tests?endpoint=" + endpoint);
    try (BlobStore store =
        BlobStores.open(
            uri,
            Map.of(
                AzureConfig.ACCOUNT_KEY_FILE,
                stores.keyFile().toString(),
                AzureConfig.MAX_TRIES,
                "2"))) {
      assertThatThrownBy(() -> store.put(BlobKey.of("k"), bytes("x")))
          .isInstanceOf(RetryableException.class)
          .hasMessageContaining("'k'")
          .hasMessageContaining(endpoint)
          .hasMessageContaining("after 2 tries");
    }
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(BlobStore store, String key) throws IOException {
    try (InputStream in = store.get(BlobKey.of(key))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] md5(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("MD5");
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      md.update(buf, 0, n);
    }
    return md.digest();
  }

  private static byte[] slice(InputStream in, long from, int len) throws IOException {
    in.skipNBytes(from);
    return in.readNBytes(len);
  }
}
