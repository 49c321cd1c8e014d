package io.klio.storage.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One put: an object of at most one block goes up as a single Put Blob; a larger one as blocks of
 * {@code block-size} staged in parallel ({@code parallelism} at a time, so memory stays below
 * {@code (parallelism + 1) × block-size}) and committed with one Put Block List. Until the commit
 * nobody sees the new object, so a failed put leaves the old one (its staged blocks are discarded
 * by the service, after a week at the latest).
 *
 * <p>Checksums: each request carries the Content-MD5 of its body, which the service checks; the
 * whole object's MD5 is stored as its Content-MD5 property, which reads check. Every object carries
 * the random id of its upload in metadata, so a conditional put can tell its own commit (retried by
 * the SDK after a lost response) from another writer's.
 */
final class BlockUpload {

  /** The service's limit of blocks in one blob. */
  static final int MAX_BLOCKS = 50_000;

  static final String UPLOAD_ID = "klioupload";

  private final AzureStoreContext ctx;
  private final BlockBlobClient blob;
  private final BlobKey key;
  private final boolean ifAbsent;
  private final String uploadId =
      Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L << 63);
  private final MessageDigest whole = md5();
  private long size;

  private BlockUpload(AzureStoreContext ctx, BlobKey key, boolean ifAbsent) {
    this.ctx = ctx;
    this.blob = ctx.blob(key);
    this.key = key;
    this.ifAbsent = ifAbsent;
  }

  /** Stores {@code content} under {@code key}; empty when {@code ifAbsent} and the key is taken. */
  static Optional<BlobInfo> run(
      AzureStoreContext ctx, BlobKey key, InputStream content, boolean ifAbsent)
      throws IOException {
    return new BlockUpload(ctx, key, ifAbsent).run(content);
  }

  private Optional<BlobInfo> run(InputStream content) throws IOException {
    byte[] first = read(content);
    if (first.length == ctx.config().blockSize()) {
      byte[] second = read(content);
      if (second.length > 0) {
        return staged(content, first, second);
      }
    }
    return single(first);
  }

  private Optional<BlobInfo> single(byte[] data) throws IOException {
    byte[] md5 = whole.digest();
    BlockBlobSimpleUploadOptions o =
        new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
            .setContentMd5(md5)
            .setHeaders(headers(md5))
            .setMetadata(Map.of(UPLOAD_ID, uploadId))
            .setTier(tier())
            .setRequestConditions(conditions());
    try {
      BlockBlobItem item = blob.uploadWithResponse(o, null, Context.NONE).getValue();
      return Optional.of(info(item.getLastModified()));
    } catch (RuntimeException e) {
      return lost(e, null);
    }
  }

  private Optional<BlobInfo> staged(InputStream content, byte[] first, byte[] second)
      throws IOException {
    Semaphore inFlight = new Semaphore(ctx.config().parallelism());
    List<Future<Instant>> staged = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try {
      stage(first, ids, staged, inFlight);
      stage(second, ids, staged, inFlight);
      for (byte[] block; (block = read(content)).length > 0; ) {
        stage(block, ids, staged, inFlight);
      }
      Instant started = null;
      for (Future<Instant> f : staged) {
        Instant t = f.get();
        started = started == null || (t != null && t.isBefore(started)) ? t : started;
      }
      byte[] md5 = whole.digest();
      BlockBlobCommitBlockListOptions o =
          new BlockBlobCommitBlockListOptions(ids)
              .setHeaders(headers(md5))
              .setMetadata(Map.of(UPLOAD_ID, uploadId))
              .setTier(tier())
              .setRequestConditions(conditions());
      try {
        BlockBlobItem item = blob.commitBlockListWithResponse(o, null, Context.NONE).getValue();
        return Optional.of(info(item.getLastModified()));
      } catch (RuntimeException e) {
        return lost(e, started);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing '" + key + "'");
    } catch (ExecutionException e) {
      throw ctx.errors().classify(e.getCause(), "store a block of", key);
    } finally {
      staged.forEach(f -> f.cancel(true));
    }
  }

  /** Hands one block to the upload threads; waits while {@code parallelism} are in flight. */
  private void stage(byte[] block, List<String> ids, List<Future<Instant>> staged, Semaphore sem)
      throws IOException, InterruptedException, ExecutionException {
    if (ids.size() == MAX_BLOCKS) {
      throw new PermanentException(
          "cannot store '"
              + key
              + "' in "
              + ctx.config().describe()
              + ": it is larger than "
              + MAX_BLOCKS
              + " blocks of "
              + ctx.config().blockSize()
              + " bytes; raise option block-size");
    }
    String id =
        Base64.getEncoder()
            .encodeToString(
                String.format("%s-%06d", uploadId, ids.size()).getBytes(StandardCharsets.US_ASCII));
    ids.add(id);
    sem.acquire();
    for (Future<Instant> f : staged) {
      if (f.isDone()) {
        f.get(); // a failed block stops the upload before the rest of the stream is read
      }
    }
    ExecutorService pool = ctx.uploads();
    try {
      staged.add(
          pool.submit(
              () -> {
                try {
                  BlockBlobStageBlockOptions o =
                      new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(block))
                          .setContentMd5(md5().digest(block));
                  Response<Void> r = blob.stageBlockWithResponse(o, null, Context.NONE);
                  return serverTime(r.getHeaders().getValue(HttpHeaderName.DATE));
                } finally {
                  sem.release();
                }
              }));
    } catch (RejectedExecutionException e) {
      sem.release();
      throw new PermanentException(
          "cannot store '" + key + "': the store " + ctx.config().describe() + " is closed", e);
    }
  }

  /**
   * A put that the service refused: when {@code ifAbsent} and the key is taken, empty; when another
   * put to the key committed while this one staged its blocks (the service then discards every
   * uncommitted block of the blob, so the commit names blocks that no longer exist), the other put
   * won the race and this one counts as having happened just before it.
   */
  private Optional<BlobInfo> lost(RuntimeException e, Instant stagingStarted) throws IOException {
    if (e instanceof BlobStorageException se) {
      BlobErrorCode code = se.getErrorCode();
      boolean taken =
          BlobErrorCode.BLOB_ALREADY_EXISTS.equals(code)
              || BlobErrorCode.CONDITION_NOT_MET.equals(code)
              || se.getStatusCode() == 409 && ifAbsent;
      if (ifAbsent && (taken || BlobErrorCode.INVALID_BLOCK_LIST.equals(code))) {
        Optional<BlobProperties> now = properties();
        if (now.isPresent()) {
          if (uploadId.equals(now.get().getMetadata().get(UPLOAD_ID))) {
            // the SDK retried our own commit after its response was lost
            return Optional.of(info(now.get().getLastModified()));
          }
          return Optional.empty();
        }
      }
      if (!ifAbsent && BlobErrorCode.INVALID_BLOCK_LIST.equals(code) && stagingStarted != null) {
        Optional<BlobProperties> now = properties();
        if (now.isPresent() && !now.get().getLastModified().toInstant().isBefore(stagingStarted)) {
          return Optional.of(info(now.get().getLastModified()));
        }
      }
    }
    throw ctx.errors().classify(e, "store", key);
  }

  private Optional<BlobProperties> properties() throws IOException {
    try {
      return Optional.of(blob.getProperties());
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404 && BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
        return Optional.empty();
      }
      throw ctx.errors().classify(e, "check", key);
    } catch (RuntimeException e) {
      throw ctx.errors().classify(e, "check", key);
    }
  }

  private byte[] read(InputStream content) throws IOException {
    byte[] b;
    try {
      b = content.readNBytes(ctx.config().blockSize());
    } catch (KlioException e) {
      throw e;
    } catch (IOException e) {
      throw new PermanentException(
          "reading the content to store as '" + key + "' failed: " + e.getMessage(), e);
    }
    whole.update(b);
    size += b.length;
    return b;
  }

  private BlobHttpHeaders headers(byte[] md5) {
    return new BlobHttpHeaders().setContentMd5(md5).setContentType("application/octet-stream");
  }

  private AccessTier tier() {
    return ctx.config().tier().map(AccessTier::fromString).orElse(null);
  }

  private BlobRequestConditions conditions() {
    return ifAbsent ? new BlobRequestConditions().setIfNoneMatch("*") : null;
  }

  private BlobInfo info(OffsetDateTime lastModified) {
    return new BlobInfo(key, size, lastModified.toInstant());
  }

  /** The service's clock (the Date header), a second early to cover its rounding. */
  private static Instant serverTime(String date) {
    if (date == null) {
      return null;
    }
    return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME)
        .toInstant()
        .minusSeconds(1);
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }
}
