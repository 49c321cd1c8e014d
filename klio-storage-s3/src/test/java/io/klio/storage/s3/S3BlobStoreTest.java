package io.klio.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.api.error.PermanentException;
import io.klio.api.format.CorruptObjectException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import io.klio.storage.BlobStores;
import io.klio.storage.ConditionalPut;
import io.klio.testkit.io.PatternStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** What the S3 store does beyond the contract, against S3Proxy on loopback. */
class S3BlobStoreTest {

  private static final String BUCKET = "klio-s3-test";
  private static S3ProxyServer server;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared();
    server.bucket(BUCKET);
  }

  private static String prefix() {
    return BUCKET + "/t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static BlobStore open(String bucketAndPrefix, Map<String, String> options)
      throws IOException {
    return server.open(bucketAndPrefix, options);
  }

  private static String s3Key(String bucketAndPrefix, String key) {
    return bucketAndPrefix.substring(BUCKET.length() + 1) + "/" + key;
  }

  @Test
  void theProviderIsFoundByItsScheme() {
    BlobStoreProvider p = BlobStores.providers().get("s3");
    assertThat(p).isInstanceOf(S3BlobStoreProvider.class);
    assertThat(p.optionNames()).contains("region", "endpoint", "pathStyle", "credentialsFile");
  }

  @Test
  void largeObjectsGoUpInPartsAndComeBackByteIdentical() throws Exception {
    long size = (40L << 20) + 12_345; // 9 parts of 5 MiB, the last one short
    String at = prefix();
    try (BlobStore store = open(at, Map.of("partSize", "5MiB", "uploadThreads", "3"))) {
      PatternStream source = new PatternStream(size, 7);
      assertThat(store.put(BlobKey.of("big"), source).size()).isEqualTo(size);
      HeadObjectResponse head =
          server.admin().headObject(b -> b.bucket(BUCKET).key(s3Key(at, "big")));
      assertThat(head.eTag()).as("a multipart ETag").endsWith("-9\"");
      assertThat(head.contentLength()).isEqualTo(size);

      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      try (InputStream in = store.get(BlobKey.of("big"))) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          sha.update(buf, 0, n);
        }
      }
      assertThat(sha.digest()).isEqualTo(source.digest());

      // a range across the boundary of parts 1 and 2 is the same bytes as the source's
      byte[] whole = new byte[(10 << 20) + 16];
      new PatternStream(size, 7).readNBytes(whole, 0, whole.length);
      try (InputStream in = store.get(BlobKey.of("big"), (5 << 20) - 8, 16)) {
        assertThat(in.readAllBytes())
            .isEqualTo(Arrays.copyOfRange(whole, (5 << 20) - 8, (5 << 20) + 8));
      }
    }
  }

  @Test
  void aFailedMultipartUploadIsAbortedAndLeavesNothing() throws Exception {
    String at = prefix();
    try (BlobStore store = open(at, Map.of("partSize", "5MiB"))) {
      InputStream failing =
          new InputStream() {
            long n;

            @Override
            public int read() throws IOException {
              return read(new byte[1], 0, 1) < 0 ? -1 : 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (n > (12L << 20)) {
                throw new IOException("source broke");
              }
              Arrays.fill(b, off, off + len, (byte) 'x');
              n += len;
              return len;
            }
          };
      assertThatThrownBy(() -> store.put(BlobKey.of("broken"), failing))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("broken")
          .hasMessageContaining("source broke");
      assertThat(store.stat(BlobKey.of("broken"))).isEmpty();
      assertThat(
              server
                  .admin()
                  .listMultipartUploads(b -> b.bucket(BUCKET).prefix(s3Key(at, "")))
                  .uploads())
          .as("multipart uploads left behind")
          .isEmpty();
    }
  }

  @Test
  void anObjectChangedBehindTheStoresBackFailsItsChecksumOnRead() throws Exception {
    String at = prefix();
    try (BlobStore store = open(at, Map.of())) {
      store.put(BlobKey.of("obj"), new ByteArrayInputStream(bytes("the bytes Klio wrote")));
      // another writer replaces the bytes but keeps Klio's metadata (a damaged copy, say)
      String k = s3Key(at, "obj");
      Map<String, String> meta = server.admin().headObject(b -> b.bucket(BUCKET).key(k)).metadata();
      assertThat(meta).containsKey(ObjectMeta.MD5);
      server
          .admin()
          .putObject(
              b -> b.bucket(BUCKET).key(k).metadata(meta),
              RequestBody.fromBytes(bytes("the bytes Klio wrotE")));
      assertThatThrownBy(() -> store.get(BlobKey.of("obj")).readAllBytes())
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("'obj'")
          .hasMessageContaining(at);
      // a ranged read is not checked here: the object format checks its own records
      try (InputStream in = store.get(BlobKey.of("obj"), 0, 3)) {
        assertThat(in.readAllBytes()).isEqualTo(bytes("the"));
      }
    }
    try (BlobStore unchecked = open(at, Map.of("verifyReads", "false"))) {
      assertThat(unchecked.get(BlobKey.of("obj")).readAllBytes())
          .isEqualTo(bytes("the bytes Klio wrotE"));
    }
  }

  @Test
  void wrongCredentialsNameTheStoreAndTheKey() throws Exception {
    String at = prefix();
    String wrongSecret = server.credentials(S3ProxyServer.ACCESS_KEY, "not-the-secret").toString();
    try (BlobStore store = open(at, Map.of("credentialsFile", wrongSecret))) {
      assertThatThrownBy(() -> store.put(BlobKey.of("a/key"), new ByteArrayInputStream(bytes("x"))))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'a/key'")
          .hasMessageContaining("s3://" + at)
          .hasMessageContaining(server.endpoint().toString())
          .hasMessageContaining("SignatureDoesNotMatch")
          .hasMessageContaining(wrongSecret);
      assertThatThrownBy(() -> store.stat(BlobKey.of("a/key")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'a/key'")
          .hasMessageContaining("HTTP 403");
    }
    String wrongKey = server.credentials("nobody", S3ProxyServer.SECRET_KEY).toString();
    try (BlobStore store = open(at, Map.of("credentialsFile", wrongKey))) {
      assertThatThrownBy(() -> store.get(BlobKey.of("a/key")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'a/key'")
          .hasMessageContaining("s3://" + at)
          .hasMessageContaining("InvalidAccessKeyId");
    }
  }

  @Test
  void missingCredentialsNameTheStoreAndTheKey() throws Exception {
    // the default chain, in a JVM where it finds nothing (the build points it at no files and
    // turns instance metadata off)
    String at = prefix();
    try (BlobStore store = open(at, Map.of("credentials", "default"))) {
      assertThatThrownBy(() -> store.put(BlobKey.of("k"), new ByteArrayInputStream(bytes("x"))))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'k'")
          .hasMessageContaining("s3://" + at)
          .hasMessageContaining("no credentials")
          .hasMessageContaining("credentialsFile");
    }
    assertThatThrownBy(() -> open(at, Map.of("credentialsFile", "/nonexistent/credentials")))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("s3://" + at)
        .hasMessageContaining("/nonexistent/credentials");
  }

  @Test
  void aMissingBucketIsAnErrorNamingItAndTheKey() throws Exception {
    try (BlobStore store = open("no-such-bucket/p", Map.of())) {
      assertThatThrownBy(() -> store.put(BlobKey.of("k1"), new ByteArrayInputStream(bytes("x"))))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'k1'")
          .hasMessageContaining("s3://no-such-bucket/p/")
          .hasMessageContaining("bucket 'no-such-bucket' does not exist");
      assertThatThrownBy(() -> store.stat(BlobKey.of("k2")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'k2'")
          .hasMessageContaining("bucket 'no-such-bucket' does not exist");
      assertThatThrownBy(() -> store.get(BlobKey.of("k3")))
          .isInstanceOf(PermanentException.class)
          .hasMessageContaining("'k3'")
          .hasMessageContaining("bucket 'no-such-bucket' does not exist");
    }
  }

  @Test
  void encryptionAndStorageClassReachTheServer() throws Exception {
    String at = prefix();
    try (BlobStore store =
        open(
            at,
            Map.of(
                "sse",
                "kms",
                "kmsKeyId",
                "alias/klio-test",
                "storageClass",
                "STANDARD_IA",
                "partSize",
                "5MiB"))) {
      store.put(BlobKey.of("small"), new ByteArrayInputStream(bytes("secret")));
      store.put(BlobKey.of("large"), new PatternStream(6L << 20, 3));
      for (String k : new String[] {"small", "large"}) {
        HeadObjectResponse h = server.admin().headObject(b -> b.bucket(BUCKET).key(s3Key(at, k)));
        assertThat(h.serverSideEncryption()).as(k).isEqualTo(ServerSideEncryption.AWS_KMS);
        assertThat(h.ssekmsKeyId()).as(k).isEqualTo("alias/klio-test");
      }
      // S3Proxy's store keeps the class of a single PUT, but drops the one a multipart upload
      // names on CreateMultipartUpload (where S3 takes it, and where this store sends it)
      assertThat(
              server
                  .admin()
                  .headObject(b -> b.bucket(BUCKET).key(s3Key(at, "small")))
                  .storageClass())
          .isEqualTo(StorageClass.STANDARD_IA);
      assertThat(store.get(BlobKey.of("small")).readAllBytes()).isEqualTo(bytes("secret"));
    }
    try (BlobStore store = open(at, Map.of("sse", "s3"))) {
      store.put(BlobKey.of("aes"), new ByteArrayInputStream(bytes("x")));
      assertThat(
              server
                  .admin()
                  .headObject(b -> b.bucket(BUCKET).key(s3Key(at, "aes")))
                  .serverSideEncryption())
          .isEqualTo(ServerSideEncryption.AES256);
    }
  }

  @Test
  void conditionalCreatesOfLargeObjectsHaveOneWinner() throws Exception {
    try (BlobStore store = open(prefix(), Map.of("partSize", "5MiB"))) {
      ConditionalPut cp = (ConditionalPut) store;
      byte[] first = new byte[(6 << 20) + 1];
      new Random(1).nextBytes(first);
      assertThat(cp.putIfAbsent(BlobKey.of("once"), new ByteArrayInputStream(first))).isTrue();
      assertThat(cp.putIfAbsent(BlobKey.of("once"), new PatternStream(6L << 20, 9))).isFalse();
      assertThat(store.get(BlobKey.of("once")).readAllBytes()).isEqualTo(first);
    }
  }

  @Test
  void withoutConditionalPutTheStoreDoesNotClaimIt() throws Exception {
    try (BlobStore store = open(prefix(), Map.of("conditionalPut", "false"))) {
      assertThat(store).isNotInstanceOf(ConditionalPut.class);
      store.put(BlobKey.of("k"), new ByteArrayInputStream(bytes("v")));
      assertThat(store.stat(BlobKey.of("k"))).isPresent();
    }
  }

  @Test
  void foreignObjectsUnderThePrefixAreSkippedInListings() throws Exception {
    String at = prefix();
    try (BlobStore store = open(at, Map.of())) {
      store.put(BlobKey.of("a"), new ByteArrayInputStream(bytes("1")));
      server
          .admin()
          .putObject(b -> b.bucket(BUCKET).key(s3Key(at, "folder/")), RequestBody.empty());
      server
          .admin()
          .putObject(b -> b.bucket(BUCKET).key(s3Key(at, "b c")), RequestBody.fromString("2"));
      store.put(BlobKey.of("z"), new ByteArrayInputStream(bytes("3")));
      assertThat(store.list("", java.util.Optional.empty(), 10).objects())
          .extracting(o -> o.key().value())
          .containsExactly("a", "z");
    }
  }

  @Test
  void describeNamesBucketPrefixAndEndpointButNoSecret() throws Exception {
    String at = prefix();
    try (BlobStore store = open(at, Map.of())) {
      assertThat(store.describe())
          .isEqualTo("s3://" + at + "/ (endpoint " + server.endpoint() + ")")
          .doesNotContain(S3ProxyServer.SECRET_KEY);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
