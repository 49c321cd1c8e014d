package io.klio.storage.s3;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The one place where S3 failures are classified: {@link #retryable} is both the SDK's retry rule
 * (the client retries exactly these, with backoff, up to {@code maxAttempts}) and, after the last
 * attempt, what becomes a {@link RetryableException}; {@link #classify} turns the rest into
 * not-found or {@link PermanentException}, with a message that names the store, the key and what to
 * do. Nothing else in this module retries.
 */
final class S3Errors {

  /** Error codes that a later attempt may not meet (besides every 5xx but 501, and 429). */
  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestTimeout",
          "RequestTimeTooSkewed",
          "InternalError",
          "SlowDown",
          "ServiceUnavailable",
          "Throttling",
          "ThrottlingException",
          "TooManyRequests",
          "TooManyRequestsException",
          "RequestThrottled",
          "BadDigest", // the body was damaged on the way: sending it again helps
          "IncompleteBody",
          "ConditionalRequestConflict", // a concurrent conditional write: S3 says try again
          "OperationAborted");

  private static final Set<String> THROTTLING_CODES =
      Set.of(
          "SlowDown",
          "Throttling",
          "ThrottlingException",
          "TooManyRequests",
          "TooManyRequestsException",
          "RequestThrottled");

  /**
   * Thrown by our credential providers when there are none; never retried. An {@link
   * SdkClientException}, so that it passes through the SDK and our handlers like its own failures.
   */
  static final class MissingCredentialsException extends SdkClientException {
    private static final long serialVersionUID = 1L;

    MissingCredentialsException(String message, Throwable cause) {
      super(SdkClientException.builder().message(message).cause(cause));
    }
  }

  private final String store;
  private final String bucket;
  private final String credentials;
  private final int attempts;

  S3Errors(String store, S3Config config) {
    this.store = store;
    this.bucket = config.bucket();
    this.credentials = config.credentials().describe();
    this.attempts = config.maxAttempts();
  }

  /** Whether another attempt of the same request may succeed. */
  static boolean retryable(Throwable t) {
    if (cause(t, MissingCredentialsException.class) != null) {
      return false;
    }
    KlioException ours = cause(t, KlioException.class);
    if (ours != null) {
      return ours.isRetryable();
    }
    if (t instanceof AwsServiceException s) {
      String code = code(s);
      int status = s.statusCode();
      return RETRYABLE_CODES.contains(code) || status == 429 || (status >= 500 && status != 501);
    }
    return t instanceof ApiCallAttemptTimeoutException
        || cause(t, IOException.class) != null
        || cause(t, UncheckedIOException.class) != null;
  }

  /** Whether the server asked us to slow down (the SDK then backs off for longer). */
  static boolean throttling(Throwable t) {
    return t instanceof AwsServiceException s
        && (s.statusCode() == 429 || THROTTLING_CODES.contains(code(s)));
  }

  /** The S3 error code, or empty when the response had no body (a HEAD request). */
  static String code(AwsServiceException s) {
    String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
    return code == null ? "" : code;
  }

  /** An HTTP status of an S3 error response, or 0 when the failure has none. */
  static int status(Throwable t) {
    return t instanceof AwsServiceException s ? s.statusCode() : 0;
  }

  /**
   * Turns a failure of {@code action} on {@code key} (null for a listing) into Klio's three kinds.
   * {@code NoSuchKey} becomes {@link BlobNotFoundException}; callers that expect absence (stat,
   * delete) handle it before calling this.
   */
  KlioException classify(Throwable e, String action, BlobKey key) {
    if (e instanceof KlioException k) {
      return k;
    }
    String what = "could not " + action + (key == null ? "" : " '" + key + "'") + " in " + store;
    MissingCredentialsException missing = cause(e, MissingCredentialsException.class);
    if (missing != null) {
      return new PermanentException(
          what
              + ": no credentials: "
              + missing.getMessage()
              + "; give the store credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a"
              + " profile, IRSA's AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, instance or"
              + " container credentials, or option credentialsFile)",
          e);
    }
    if (e instanceof AwsServiceException s) {
      String code = code(s);
      int status = s.statusCode();
      String detail = detail(s);
      if (code.equals("NoSuchKey") && key != null) {
        return new BlobNotFoundException(key, store);
      }
      if (code.equals("NoSuchBucket")) {
        return new PermanentException(
            what
                + ": the bucket '"
                + bucket
                + "' does not exist there ("
                + detail
                + "); create it, or correct the bucket, endpoint or region",
            e);
      }
      if (status == 401 || status == 403) {
        return new PermanentException(what + ": " + detail + "; " + credentialHint(code), e);
      }
      if (status == 301
          || code.equals("PermanentRedirect")
          || code.equals("AuthorizationHeaderMalformed")) {
        String region =
            s.awsErrorDetails() == null || s.awsErrorDetails().sdkHttpResponse() == null
                ? ""
                : s.awsErrorDetails()
                    .sdkHttpResponse()
                    .firstMatchingHeader("x-amz-bucket-region")
                    .map(r -> " (it says " + r + ")")
                    .orElse("");
        return new PermanentException(
            what
                + ": "
                + detail
                + "; the bucket is in another region"
                + region
                + ": set option region",
            e);
      }
      if (status == 501) {
        return new PermanentException(
            what + ": the server does not implement this request (" + detail + ")", e);
      }
      if (retryable(e)) {
        return new RetryableException(what + ": " + detail + "; " + tries(), e);
      }
      return new PermanentException(what + ": " + detail, e);
    }
    if (e instanceof ApiCallTimeoutException || retryable(e)) {
      return new RetryableException(what + ": " + message(e) + "; " + tries(), e);
    }
    return new PermanentException(what + ": " + message(e), e);
  }

  private String tries() {
    return attempts == 1
        ? "it may succeed later"
        : "tried " + attempts + " times (option maxAttempts); it may succeed later";
  }

  private String credentialHint(String code) {
    String source = "check the credentials from " + credentials;
    return switch (code) {
      case "InvalidAccessKeyId" -> "the server does not know this access key; " + source;
      case "SignatureDoesNotMatch" -> "the secret key does not match the access key; " + source;
      case "ExpiredToken", "TokenRefreshRequired" -> "the session token has expired; " + source;
      case "" ->
          "the server refused the request and, it being a HEAD request, gave no reason; "
              + source
              + ", and that they may read and write this bucket";
      default ->
          source
              + ", and that the bucket's policy lets them s3:GetObject, s3:PutObject,"
              + " s3:DeleteObject and s3:ListBucket";
    };
  }

  private static String detail(AwsServiceException s) {
    String code = code(s);
    String message =
        s.awsErrorDetails() == null || s.awsErrorDetails().errorMessage() == null
            ? ""
            : s.awsErrorDetails().errorMessage();
    StringBuilder b = new StringBuilder();
    b.append(code.isEmpty() ? "HTTP " + s.statusCode() : code + " (HTTP " + s.statusCode() + ")");
    if (!message.isEmpty() && !message.equals(code)) {
      b.append(": ").append(message);
    }
    return b.toString();
  }

  private static String message(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
        b.append(": ").append(c.getClass().getSimpleName()).append(' ').append(c.getMessage());
      }
    }
    return b.toString();
  }

  private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
