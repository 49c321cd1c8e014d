package io.klio.storage.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobPage;
import io.klio.storage.BlobRanges;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link BlobStore} on one Azure Blob Storage container, under an optional name prefix. Objects
 * are block blobs; a key maps to the blob name {@code <prefix>/<key>} with no escaping (keys use a
 * safe character set). Puts are atomic because a block blob changes only when its block list is
 * committed ({@link BlockUpload}); conditional puts send {@code If-None-Match: *}. Thread-safe; the
 * SDK client and the upload threads are shared by all calls and released by {@link #close()}.
 */
final class AzureBlobStore implements BlobStore, ConditionalPut {

  private final AzureStoreContext ctx;
  private final AzureListing listing;

  AzureBlobStore(AzureStoreContext ctx) {
    this.ctx = ctx;
    this.listing = new AzureListing(ctx);
  }

  static ExecutorService uploadThreads(String store) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f =
        r -> {
          Thread t = new Thread(r, "klio-azure-upload-" + n.incrementAndGet() + " " + store);
          t.setDaemon(true);
          return t;
        };
    return Executors.newCachedThreadPool(f);
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    return BlockUpload.run(ctx, key, content, false).orElseThrow();
  }

  @Override
  public boolean putIfAbsent(BlobKey key, InputStream content) throws IOException {
    if (BlockUpload.run(ctx, key, content, true).isPresent()) {
      return true;
    }
    content.transferTo(OutputStream.nullOutputStream());
    return false;
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    return AzureDownload.open(ctx, key, 0, Long.MAX_VALUE, this::stat);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    BlobRanges.checkArguments(key, offset, length);
    return AzureDownload.open(ctx, key, offset, length, this::stat);
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    try {
      BlobProperties p =
          ctx.blob(key).getPropertiesWithResponse(null, null, Context.NONE).getValue();
      return Optional.of(new BlobInfo(key, p.getBlobSize(), p.getLastModified().toInstant()));
    } catch (BlobStorageException e) {
      if (isMissingBlob(e)) {
        return Optional.empty();
      }
      throw ctx.errors().classify(e, "stat", key);
    } catch (RuntimeException e) {
      throw ctx.errors().classify(e, "stat", key);
    }
  }

  @Override
  public BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys)
      throws IOException {
    BlobKey.checkPrefix(prefix);
    BlobPage.checkMaxKeys(maxKeys);
    return listing.list(prefix, startAfter, maxKeys);
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    try {
      ctx.blob(key).deleteWithResponse(null, null, null, Context.NONE);
    } catch (BlobStorageException e) {
      if (!isMissingBlob(e)) {
        throw ctx.errors().classify(e, "delete", key);
      }
    } catch (RuntimeException e) {
      throw ctx.errors().classify(e, "delete", key);
    }
  }

  @Override
  public String describe() {
    return ctx.config().describe();
  }

  @Override
  public void close() {
    ctx.uploads().shutdownNow();
  }

  /**
   * A 404 for the blob itself, not for its container. HEAD answers carry the error code only in a
   * header, which the SDK reads into the exception's error code as for other requests.
   */
  private static boolean isMissingBlob(BlobStorageException e) {
    return e.getStatusCode() == 404 && !BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode());
  }
}
