package io.klio.storage.s3;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobPage;
import io.klio.storage.BlobRanges;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link BlobStore} on one bucket and prefix of S3 or an S3-compatible server. Thread-safe; one
 * SDK client, one upload thread pool and one set of part buffers per store. A key {@code k} is the
 * S3 object {@code prefix + k}. With {@code conditionalPut=true} (the default) the store is a
 * {@link Conditional}, which also implements {@link ConditionalPut} with {@code If-None-Match: *}.
 *
 * <p>Puts are atomic because S3 makes an object visible only when its single PUT or its {@code
 * CompleteMultipartUpload} succeeds. Listings are ListObjectsV2 pages, in S3's (byte) key order;
 * objects under the prefix whose names are not valid {@link BlobKey}s (not written by Klio) are
 * skipped.
 */
sealed class S3BlobStore implements BlobStore permits S3BlobStore.Conditional {

  private final S3Clients.Client client;
  private final S3Config config;
  private final String describe;
  private final S3Errors errors;
  private final ExecutorService pool;
  private final S3Upload upload;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean bucketSeen;

  private S3BlobStore(S3Config config, String describe) throws PermanentException {
    this.config = config;
    this.describe = describe;
    this.errors = new S3Errors(describe, config);
    this.client = S3Clients.build(config, describe);
    this.pool = Executors.newFixedThreadPool(config.uploadThreads(), threads());
    this.upload =
        new S3Upload(
            client.s3(),
            config,
            new PartBuffers(config.partSize(), config.uploadBuffers()),
            pool,
            errors,
            describe);
  }

  static S3BlobStore open(S3Config config) throws PermanentException {
    String describe =
        config.location()
            + config
                .endpoint()
                .map(e -> " (endpoint " + e + ")")
                .orElse(config.region().map(r -> " (region " + r + ")").orElse(""));
    return config.conditionalPut()
        ? new Conditional(config, describe)
        : new S3BlobStore(config, describe);
  }

  /** The store with {@code If-None-Match: *} creates. */
  static final class Conditional extends S3BlobStore implements ConditionalPut {
    private Conditional(S3Config config, String describe) throws PermanentException {
      super(config, describe);
    }

    /**
     * {@code PutObject} (or {@code CompleteMultipartUpload}) with {@code If-None-Match: *}: S3
     * answers 412 when the key exists, and of concurrent creates exactly one succeeds. A server
     * that does not know the header and ignores it would make this an ordinary put: use {@code
     * conditionalPut=false} there (docs/storage-backends.md).
     */
    @Override
    public boolean putIfAbsent(BlobKey key, InputStream content) throws IOException {
      return upload().put(key, s3Key(key), content, true).created();
    }
  }

  final S3Upload upload() {
    return upload;
  }

  final String s3Key(BlobKey key) {
    return config.prefix() + key.value();
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    S3Upload.Result r = upload.put(key, s3Key(key), content, false);
    return new BlobInfo(key, r.size(), r.time());
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    ResponseInputStream<GetObjectResponse> in = getObject(key, null);
    GetObjectResponse r = in.response();
    return new S3InputStream(
        in,
        r.contentLength() == null ? -1 : r.contentLength(),
        config.verifyReads() ? ObjectMeta.checkOf(r) : new ObjectMeta.None(),
        key,
        describe);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    BlobRanges.checkArguments(key, offset, length);
    if (length == 0) {
      checkOffset(
          key, offset, stat(key).orElseThrow(() -> new BlobNotFoundException(key, describe)));
      return InputStream.nullInputStream();
    }
    long last = offset + length - 1;
    String range = "bytes=" + offset + "-" + (last < offset ? "" : Long.toString(last));
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = getObject(key, range);
    } catch (PermanentException e) {
      if (!(e.getCause() instanceof SdkException s) || S3Errors.status(s) != 416) {
        throw e;
      }
      // S3 refuses a range that starts at the end: that is an empty read in our contract
      checkOffset(
          key, offset, stat(key).orElseThrow(() -> new BlobNotFoundException(key, describe)));
      return InputStream.nullInputStream();
    }
    GetObjectResponse r = in.response();
    return new S3InputStream(
        in,
        r.contentLength() == null ? -1 : r.contentLength(),
        new ObjectMeta.None(),
        key,
        describe);
  }

  private void checkOffset(BlobKey key, long offset, BlobInfo info) throws PermanentException {
    BlobRanges.checkOffset(key, offset, info.size(), describe);
  }

  private ResponseInputStream<GetObjectResponse> getObject(BlobKey key, String range)
      throws IOException {
    GetObjectRequest.Builder r = GetObjectRequest.builder().bucket(config.bucket()).key(s3Key(key));
    if (range != null) {
      r.range(range);
    }
    try {
      return client.s3().getObject(r.build());
    } catch (SdkException e) {
      throw errors.classify(e, "read", key);
    }
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    HeadObjectResponse r;
    try {
      r = client.s3().headObject(b -> b.bucket(config.bucket()).key(s3Key(key)));
    } catch (SdkException e) {
      if (S3Errors.status(e) == 404) {
        checkBucketOnce(key);
        return Optional.empty();
      }
      throw errors.classify(e, "look up", key);
    }
    return Optional.of(new BlobInfo(key, r.contentLength(), r.lastModified()));
  }

  /**
   * A HEAD answers 404 without a body both for a missing key and for a missing bucket; the first
   * time, ask the bucket, so that a wrong bucket name is an error and not an empty store.
   */
  private void checkBucketOnce(BlobKey key) throws IOException {
    if (bucketSeen) {
      return;
    }
    try {
      client.s3().headBucket(b -> b.bucket(config.bucket()));
      bucketSeen = true;
    } catch (SdkException e) {
      if (S3Errors.status(e) == 404) {
        throw new PermanentException(
            "could not look up '"
                + key
                + "' in "
                + describe
                + ": the bucket '"
                + config.bucket()
                + "' does not exist there; create it, or correct the bucket, endpoint or region",
            e);
      }
      throw errors.classify(e, "look up the bucket for", key);
    }
  }

  @Override
  public BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys)
      throws IOException {
    BlobKey.checkPrefix(prefix);
    BlobPage.checkMaxKeys(maxKeys);
    ListObjectsV2Request.Builder r =
        ListObjectsV2Request.builder()
            .bucket(config.bucket())
            .prefix(config.prefix() + prefix)
            .maxKeys(Math.min(maxKeys, 1000));
    startAfter.ifPresent(k -> r.startAfter(s3Key(k)));
    List<BlobInfo> found = new ArrayList<>();
    ListObjectsV2Response page;
    try {
      do {
        page = client.s3().listObjectsV2(r.build());
        for (S3Object o : page.contents()) {
          blobKey(o.key()).ifPresent(k -> found.add(new BlobInfo(k, o.size(), o.lastModified())));
        }
        r.continuationToken(page.nextContinuationToken());
        // a page of only foreign keys: go on, so that an empty page means the end
      } while (found.isEmpty() && Boolean.TRUE.equals(page.isTruncated()));
    } catch (SdkException e) {
      throw errors.classify(e, "list '" + prefix + "'", null);
    }
    Optional<BlobKey> next =
        Boolean.TRUE.equals(page.isTruncated()) && !found.isEmpty()
            ? Optional.of(found.get(found.size() - 1).key())
            : Optional.empty();
    return new BlobPage(found, next);
  }

  private Optional<BlobKey> blobKey(String s3Key) {
    if (!s3Key.startsWith(config.prefix())) {
      return Optional.empty();
    }
    try {
      return Optional.of(BlobKey.of(s3Key.substring(config.prefix().length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not a key Klio writes (a console's "folder/", a space …)
    }
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    try {
      client.s3().deleteObject(b -> b.bucket(config.bucket()).key(s3Key(key)));
    } catch (SdkException e) {
      if (S3Errors.status(e) == 404 && "NoSuchKey".equals(code(e))) {
        return;
      }
      throw errors.classify(e, "delete", key);
    }
  }

  private static String code(SdkException e) {
    return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s
        ? S3Errors.code(s)
        : "";
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.shutdownNow();
      client.close();
    }
  }

  private static ThreadFactory threads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "klio-s3-upload-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
