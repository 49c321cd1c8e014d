package io.klio.storage.s3;

import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Writes objects: the source is read into part buffers ({@link PartBuffers}); an object that fits
 * in one part goes up as one {@code PutObject}, a larger one as a multipart upload whose parts go
 * up in parallel on the store's thread pool, at most {@code uploadThreads} of one object at a time.
 * Every request carries {@code Content-MD5}, so the server refuses a body damaged on the way.
 * Objects carry their own checksum for reads ({@link ObjectMeta}). A failed multipart upload is
 * aborted, so it leaves no parts behind (a crash may: see docs/storage-backends.md).
 */
final class S3Upload {

  private static final Logger LOG = LoggerFactory.getLogger(S3Upload.class);
  private static final String OCTETS = "application/octet-stream";
  static final int MAX_PARTS = 10_000;

  /** What a put did: the size and time of the object, and whether it was written. */
  record Result(long size, Instant time, boolean created) {}

  private final S3Client s3;
  private final S3Config config;
  private final PartBuffers buffers;
  private final ExecutorService pool;
  private final S3Errors errors;
  private final String store;

  S3Upload(
      S3Client s3,
      S3Config config,
      PartBuffers buffers,
      ExecutorService pool,
      S3Errors errors,
      String store) {
    this.s3 = s3;
    this.config = config;
    this.buffers = buffers;
    this.pool = pool;
    this.errors = errors;
    this.store = store;
  }

  /**
   * Stores {@code in} at {@code s3Key}; with {@code ifAbsent} only when nothing is there ({@code
   * If-None-Match: *}), and then {@link Result#created()} says whether it was.
   */
  Result put(BlobKey key, String s3Key, InputStream in, boolean ifAbsent) throws IOException {
    Source source = new Source(in, key, store);
    byte[] first = acquire(key);
    boolean handedOver = false;
    try {
      int n = source.fill(first, 0, first.length);
      int next = n < first.length ? -1 : source.read();
      if (next < 0) {
        return single(key, s3Key, first, n, ifAbsent);
      }
      handedOver = true;
      return multipart(key, s3Key, source, first, next, ifAbsent);
    } finally {
      if (!handedOver) {
        buffers.release(first);
      }
    }
  }

  private Result single(BlobKey key, String s3Key, byte[] buf, int n, boolean ifAbsent)
      throws IOException {
    String md5 = md5(buf, n);
    String writer = ifAbsent ? UUID.randomUUID().toString() : null;
    Map<String, String> meta = new HashMap<>();
    meta.put(ObjectMeta.MD5, md5);
    if (writer != null) {
      meta.put(ObjectMeta.WRITER, writer);
    }
    PutObjectRequest.Builder r =
        PutObjectRequest.builder()
            .bucket(config.bucket())
            .key(s3Key)
            .contentLength((long) n)
            .contentMD5(md5)
            .metadata(meta);
    writeOptions(r::serverSideEncryption, r::ssekmsKeyId, r::storageClass);
    if (ifAbsent) {
      r.ifNoneMatch("*");
    }
    try {
      PutObjectResponse resp = s3.putObject(r.build(), body(buf, n));
      return new Result(n, date(resp.sdkHttpResponse()), true);
    } catch (SdkException e) {
      if (ifAbsent && S3Errors.status(e) == 412) {
        return new Result(n, Instant.now(), ownWrite(key, s3Key, writer));
      }
      throw errors.classify(e, "store", key);
    }
  }

  private Result multipart(
      BlobKey key, String s3Key, Source source, byte[] first, int next, boolean ifAbsent)
      throws IOException {
    String writer = ifAbsent ? UUID.randomUUID().toString() : null;
    String uploadId;
    try {
      uploadId = create(s3Key, writer);
    } catch (SdkException e) {
      buffers.release(first);
      throw errors.classify(e, "start a multipart upload of", key);
    }
    Deque<Part> inFlight = new ArrayDeque<>();
    List<CompletedPart> done = new ArrayList<>();
    byte[] current = first; // the buffer being filled, not yet handed to a task
    boolean completed = false;
    try {
      inFlight.add(submit(s3Key, uploadId, 1, current, current.length));
      current = null;
      long total = first.length;
      int partNumber = 2;
      for (int pending = next; pending >= 0; partNumber++) {
        if (partNumber > MAX_PARTS) {
          throw new PermanentException(
              "cannot store '"
                  + key
                  + "' in "
                  + store
                  + ": it is larger than "
                  + MAX_PARTS
                  + " parts of "
                  + config.partSize()
                  + " bytes; raise option partSize");
        }
        current = inFlight.size() < config.uploadThreads() ? buffers.tryAcquire() : null;
        if (current == null) {
          // no free buffer, or enough parts of this object on the way: reuse the oldest one's
          Part oldest = inFlight.getFirst();
          done.add(finish(oldest, key));
          inFlight.removeFirst();
          current = oldest.buffer();
        }
        current[0] = (byte) pending;
        int n = 1 + source.fill(current, 1, current.length - 1);
        pending = n < current.length ? -1 : source.read();
        inFlight.add(submit(s3Key, uploadId, partNumber, current, n));
        current = null;
        total += n;
      }
      while (!inFlight.isEmpty()) {
        Part p = inFlight.getFirst();
        done.add(finish(p, key));
        inFlight.removeFirst();
        buffers.release(p.buffer());
      }
      done.sort(Comparator.comparing(CompletedPart::partNumber));
      try {
        CompleteMultipartUploadResponse resp =
            s3.completeMultipartUpload(
                b -> {
                  b.bucket(config.bucket())
                      .key(s3Key)
                      .uploadId(uploadId)
                      .multipartUpload(u -> u.parts(done));
                  if (ifAbsent) {
                    b.ifNoneMatch("*");
                  }
                });
        completed = true;
        return new Result(total, date(resp.sdkHttpResponse()), true);
      } catch (SdkException e) {
        if (ifAbsent && S3Errors.status(e) == 412) {
          boolean ours = ownWrite(key, s3Key, writer);
          completed = ours;
          return new Result(total, Instant.now(), ours);
        }
        throw errors.classify(e, "complete the multipart upload of", key);
      }
    } finally {
      if (current != null) {
        buffers.release(current);
      }
      drain(inFlight);
      if (!completed) {
        abort(key, s3Key, uploadId);
      }
    }
  }

  private String create(String s3Key, String writer) {
    Map<String, String> meta = new HashMap<>();
    meta.put(ObjectMeta.PART_SIZE, Integer.toString(config.partSize()));
    if (writer != null) {
      meta.put(ObjectMeta.WRITER, writer);
    }
    CreateMultipartUploadRequest.Builder r =
        CreateMultipartUploadRequest.builder()
            .bucket(config.bucket())
            .key(s3Key)
            .contentType(OCTETS)
            .metadata(meta);
    writeOptions(r::serverSideEncryption, r::ssekmsKeyId, r::storageClass);
    return s3.createMultipartUpload(r.build()).uploadId();
  }

  private record Part(int number, byte[] buffer, Future<CompletedPart> future) {}

  private Part submit(String s3Key, String uploadId, int number, byte[] buf, int n) {
    Future<CompletedPart> f =
        pool.submit(
            () -> {
              String md5 = md5(buf, n);
              String etag =
                  s3.uploadPart(
                          b ->
                              b.bucket(config.bucket())
                                  .key(s3Key)
                                  .uploadId(uploadId)
                                  .partNumber(number)
                                  .contentLength((long) n)
                                  .contentMD5(md5),
                          body(buf, n))
                      .eTag();
              return CompletedPart.builder().partNumber(number).eTag(etag).build();
            });
    return new Part(number, buf, f);
  }

  private CompletedPart finish(Part p, BlobKey key) throws IOException {
    try {
      return p.future().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableException("interrupted while storing '" + key + "' in " + store, e);
    } catch (ExecutionException e) {
      throw errors.classify(e.getCause(), "upload part " + p.number() + " of", key);
    }
  }

  /** Waits, uninterruptibly, until no task uses a buffer of this upload, then frees them. */
  private void drain(Deque<Part> inFlight) {
    for (Part p : inFlight) {
      p.future().cancel(false);
    }
    boolean interrupted = false;
    for (Part p : inFlight) {
      while (true) {
        try {
          p.future().get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | CancellationException e) {
          break;
        }
      }
      buffers.release(p.buffer());
    }
    inFlight.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void abort(BlobKey key, String s3Key, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(s3Key).uploadId(uploadId));
    } catch (SdkException e) {
      LOG.warn(
          "could not abort the multipart upload {} of '{}' in {}: {}; its parts stay until an"
              + " AbortIncompleteMultipartUpload lifecycle rule removes them",
          uploadId,
          key,
          store,
          e.toString());
    }
  }

  /**
   * After a 412 to {@code If-None-Match: *}: whether the object there is this call's own (an
   * earlier attempt of the same request went through and its answer was lost).
   */
  private boolean ownWrite(BlobKey key, String s3Key, String writer) throws IOException {
    try {
      String there =
          s3.headObject(b -> b.bucket(config.bucket()).key(s3Key))
              .metadata()
              .get(ObjectMeta.WRITER);
      return writer.equals(there);
    } catch (SdkException e) {
      if (S3Errors.status(e) == 404) {
        return false;
      }
      throw errors.classify(e, "look up", key);
    }
  }

  /** Encryption and storage class, which a PUT and a CreateMultipartUpload take alike. */
  private void writeOptions(
      Consumer<ServerSideEncryption> sse,
      Consumer<String> kmsKeyId,
      Consumer<String> storageClass) {
    switch (config.sse()) {
      case S3 -> sse.accept(ServerSideEncryption.AES256);
      case KMS -> {
        sse.accept(ServerSideEncryption.AWS_KMS);
        config.kmsKeyId().ifPresent(kmsKeyId);
      }
      case NONE -> {}
    }
    config.storageClass().ifPresent(storageClass);
  }

  private byte[] acquire(BlobKey key) throws IOException {
    try {
      return buffers.acquire();
    } catch (InterruptedIOException e) {
      throw new RetryableException("interrupted while storing '" + key + "' in " + store, e);
    }
  }

  private static RequestBody body(byte[] buf, int n) {
    // a fresh stream over the buffer for every attempt: no copy, and retries send it again
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, n), n, OCTETS);
  }

  static String md5(byte[] buf, int n) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      md.update(buf, 0, n);
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's time of the write (its {@code Date} header), or ours when it sent none. */
  private static Instant date(SdkHttpResponse response) {
    return response
        .firstMatchingHeader("Date")
        .map(
            d -> {
              try {
                return ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
              } catch (DateTimeParseException e) {
                return Instant.now();
              }
            })
        .orElseGet(Instant::now);
  }
}
