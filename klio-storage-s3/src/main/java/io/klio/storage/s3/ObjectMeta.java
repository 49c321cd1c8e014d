package io.klio.storage.s3;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The user metadata ({@code x-amz-meta-…}) Klio writes on its objects, and what a read can check
 * with it:
 *
 * <ul>
 *   <li>{@value #MD5}: the base64 MD5 of an object written in one request; a whole read checks it.
 *   <li>{@value #PART_SIZE}: the part size of an object written in parts. Its ETag is then, on AWS
 *       without SSE-KMS and on the usual S3-compatible servers, the MD5 of its parts' MD5s followed
 *       by {@code -N}; a whole read recomputes it.
 *   <li>{@value #WRITER}: a random id of a conditional write, to recognise our own object after a
 *       retried {@code If-None-Match: *} request answered 412.
 * </ul>
 */
final class ObjectMeta {

  static final String MD5 = "klio-md5";
  static final String PART_SIZE = "klio-part-size";
  static final String WRITER = "klio-writer";

  private static final Pattern MULTIPART_ETAG = Pattern.compile("[0-9a-f]{32}-[0-9]+");

  private ObjectMeta() {}

  /** What a whole read of this object can verify. */
  sealed interface Check {}

  /** Nothing to check against (an object Klio did not write, or an SSE-KMS multipart object). */
  record None() implements Check {}

  record WholeMd5(String base64) implements Check {}

  record PartsMd5(long partSize, String etag) implements Check {}

  static Check checkOf(GetObjectResponse r) {
    Map<String, String> meta = r.metadata();
    String md5 = meta.get(MD5);
    if (md5 != null && !md5.isEmpty()) {
      return new WholeMd5(md5);
    }
    String etag = r.eTag() == null ? "" : r.eTag().replace("\"", "");
    Optional<Long> partSize = parse(meta.get(PART_SIZE));
    boolean kms =
        r.serverSideEncryption() == ServerSideEncryption.AWS_KMS
            || r.serverSideEncryption() == ServerSideEncryption.AWS_KMS_DSSE
            || r.sseCustomerAlgorithm() != null;
    if (partSize.isPresent() && !kms && MULTIPART_ETAG.matcher(etag).matches()) {
      return new PartsMd5(partSize.get(), etag);
    }
    return new None();
  }

  private static Optional<Long> parse(String s) {
    try {
      long n = s == null ? 0 : Long.parseLong(s);
      return n > 0 ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
