package io.klio.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The one classification: what the SDK retries and what each failure becomes after that. */
class S3ErrorsTest {

  private static S3Exception s3(int status, String code) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .message(code)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code)
                    .errorMessage("the server says so")
                    .build())
            .build();
  }

  private final S3Errors errors =
      new S3Errors(
          "s3://b/p/ (endpoint http://h:1)",
          configOf("s3://b/p?endpoint=http://h:1&credentialsFile=/etc/creds"));

  private static S3Config configOf(String uri) {
    try {
      return S3Config.parse(URI.create(uri), Map.of());
    } catch (PermanentException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void retryableIsTransientAndNothingElse() {
    assertThat(S3Errors.retryable(s3(503, "SlowDown"))).isTrue();
    assertThat(S3Errors.retryable(s3(500, "InternalError"))).isTrue();
    assertThat(S3Errors.retryable(s3(502, ""))).isTrue();
    assertThat(S3Errors.retryable(s3(429, ""))).isTrue();
    assertThat(S3Errors.retryable(s3(400, "RequestTimeout"))).isTrue();
    assertThat(S3Errors.retryable(s3(400, "BadDigest"))).isTrue();
    assertThat(S3Errors.retryable(s3(409, "ConditionalRequestConflict"))).isTrue();
    assertThat(S3Errors.retryable(SdkClientException.create("io", new IOException("reset"))))
        .isTrue();
    assertThat(S3Errors.retryable(s3(501, "NotImplemented"))).isFalse();
    assertThat(S3Errors.retryable(s3(403, "AccessDenied"))).isFalse();
    assertThat(S3Errors.retryable(s3(404, "NoSuchKey"))).isFalse();
    assertThat(S3Errors.retryable(s3(412, "PreconditionFailed"))).isFalse();
    assertThat(
            S3Errors.retryable(
                new S3Errors.MissingCredentialsException("none", new IOException("x"))))
        .isFalse();
    assertThat(S3Errors.throttling(s3(503, "SlowDown"))).isTrue();
    assertThat(S3Errors.throttling(s3(500, "InternalError"))).isFalse();
  }

  @Test
  void classificationNamesStoreKeyAndWhatToDo() {
    BlobKey k = BlobKey.of("wal/0001");
    assertThat(errors.classify(s3(404, "NoSuchKey"), "read", k))
        .isInstanceOf(BlobNotFoundException.class);
    KlioException bucket = errors.classify(s3(404, "NoSuchBucket"), "read", k);
    assertThat(bucket)
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("'wal/0001'")
        .hasMessageContaining("s3://b/p/")
        .hasMessageContaining("bucket 'b' does not exist");
    assertThat(errors.classify(s3(403, "AccessDenied"), "store", k))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("/etc/creds")
        .hasMessageContaining("s3:PutObject");
    assertThat(errors.classify(s3(503, "SlowDown"), "store", k))
        .isInstanceOf(RetryableException.class)
        .hasMessageContaining("tried 3 times");
    assertThat(
            errors.classify(
                SdkClientException.create(
                    "Unable to execute HTTP request", new UnknownHostException("h")),
                "store",
                k))
        .isInstanceOf(RetryableException.class)
        .hasMessageContaining("UnknownHostException");
    assertThat(errors.classify(s3(501, "NotImplemented"), "store", k))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("does not implement");
    assertThat(errors.classify(s3(301, "PermanentRedirect"), "list", null))
        .isInstanceOf(PermanentException.class)
        .hasMessageContaining("set option region");
  }
}
