package io.klio.storage.s3;

import io.klio.api.error.PermanentException;
import io.klio.storage.s3.S3Errors.MissingCredentialsException;
import java.io.IOException;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** Builds the SDK client a store uses, once per store. */
final class S3Clients {

  private S3Clients() {}

  /** The client and the credential provider it uses (which the client does not close). */
  record Client(S3Client s3, AwsCredentialsProvider credentials) implements AutoCloseable {
    @Override
    public void close() {
      s3.close();
      if (credentials instanceof SdkAutoCloseable c) {
        c.close();
      }
    }
  }

  static Client build(S3Config c, String store) throws PermanentException {
    AwsCredentialsProvider credentials =
        switch (c.credentials().mode()) {
          case FILE -> FileCredentials.open(c.credentials().file().orElseThrow(), store);
          case ANONYMOUS -> AnonymousCredentialsProvider.create();
          case DEFAULT_CHAIN ->
              new Chain(
                  DefaultCredentialsProvider.builder()
                      .profileName(c.credentials().profile().orElse(null))
                      .build());
        };
    var builder =
        S3Client.builder()
            // the JDK's HttpURLConnection: no Apache HttpClient, no Netty
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60)))
            .region(region(c, store))
            .credentialsProvider(credentials)
            .forcePathStyle(c.pathStyle())
            // S3-compatible servers do not all know the flexible checksums; we send Content-MD5
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(o -> o.retryStrategy(retryStrategy(c.maxAttempts())));
    c.endpoint().ifPresent(builder::endpointOverride);
    try {
      return new Client(builder.build(), credentials);
    } catch (SdkException e) {
      throw new PermanentException("cannot open " + store + ": " + e.getMessage(), e);
    }
  }

  /**
   * The SDK's standard strategy (exponential backoff with jitter, longer after throttling, a retry
   * budget shared by the client), retrying what {@link S3Errors#retryable} says and nothing else:
   * the client's own defaults are not added.
   */
  static RetryStrategy retryStrategy(int maxAttempts) {
    return DefaultRetryStrategy.standardStrategyBuilder()
        .useClientDefaults(false)
        .maxAttempts(maxAttempts)
        .retryOnException(S3Errors::retryable)
        .treatAsThrottling(S3Errors::throttling)
        .backoffStrategy(
            BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(20)))
        .throttlingBackoffStrategy(
            BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(20)))
        .build();
  }

  private static Region region(S3Config c, String store) throws PermanentException {
    if (c.region().isPresent()) {
      return Region.of(c.region().get());
    }
    if (c.endpoint().isPresent()) {
      return Region.US_EAST_1; // S3-compatible servers take any region in the signature
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      throw new PermanentException(
          "cannot open "
              + store
              + ": no region: set option region (or AWS_REGION, or a profile's region)",
          e);
    }
  }

  /**
   * The SDK's default chain, whose "found nothing" becomes {@link MissingCredentialsException} (a
   * permanent failure with advice); a network failure on the way to STS or instance metadata stays
   * what it is, and is retried.
   */
  private static final class Chain implements AwsCredentialsProvider, SdkAutoCloseable {
    private final DefaultCredentialsProvider chain;

    Chain(DefaultCredentialsProvider chain) {
      this.chain = chain;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      try {
        return chain.resolveCredentials();
      } catch (SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof IOException) {
            throw e;
          }
        }
        throw new MissingCredentialsException(e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      chain.close();
    }
  }
}
