package io.klio.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.klio.operator.api.v1alpha1.AzureStore;
import io.klio.operator.api.v1alpha1.S3Store;
import io.klio.operator.api.v1alpha1.ServerSpec;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a Server's spec must satisfy beyond its CRD schema; each refusal starts with the field it is
 * about ({@code spec.tier2: …}), for the condition and the event.
 */
final class ServerValidation {
  private ServerValidation() {}

  static Optional<String> check(ServerSpec spec) {
    if (spec == null) {
      return Optional.of("spec: missing");
    }
    if (spec.image() == null || spec.image().isBlank()) {
      return Optional.of("spec.image: required (the image holding the klio distribution)");
    }
    if (spec.tier1() == null || spec.tier1().size() == null) {
      return Optional.of("spec.tier1.size: required, such as 50Gi");
    }
    if (bytes(spec.tier1().size()).filter(b -> b.signum() > 0).isEmpty()) {
      return Optional.of(
          "spec.tier1.size: '" + spec.tier1().size() + "' is not a positive size such as 50Gi");
    }
    if (spec.tier2() != null) {
      S3Store s3 = spec.tier2().s3();
      AzureStore az = spec.tier2().azure();
      if ((s3 == null) == (az == null)) {
        return Optional.of("spec.tier2: set exactly one of s3 and azure");
      }
      if (s3 != null) {
        if ((s3.accessKeyId() == null) != (s3.secretAccessKey() == null)) {
          return Optional.of(
              "spec.tier2.s3: set both accessKeyId and secretAccessKey, or neither (the default"
                  + " credential chain)");
        }
        Optional<String> e = endpoint("spec.tier2.s3.endpoint", s3.endpoint());
        if (e.isPresent()) {
          return e;
        }
        if (s3.accessKeyId() != null) {
          Optional<String> k =
              selector("spec.tier2.s3.accessKeyId", s3.accessKeyId())
                  .or(() -> selector("spec.tier2.s3.secretAccessKey", s3.secretAccessKey()));
          if (k.isPresent()) {
            return k;
          }
        }
      } else {
        long credentials =
            Stream.of(az.accountKey(), az.connectionString(), az.sasToken())
                .filter(c -> c != null)
                .count();
        if (credentials > 1) {
          return Optional.of(
              "spec.tier2.azure: set at most one of accountKey, connectionString and sasToken");
        }
        if (az.connectionString() != null && az.endpoint() != null) {
          return Optional.of(
              "spec.tier2.azure.endpoint: not with connectionString, which names the endpoint");
        }
        Optional<String> e = endpoint("spec.tier2.azure.endpoint", az.endpoint());
        if (e.isPresent()) {
          return e;
        }
      }
    }
    if (spec.encryption() != null) {
      return selector("spec.encryption.keySecret", spec.encryption().keySecret());
    }
    return Optional.empty();
  }

  /** The size in bytes, when {@code q} is a quantity. */
  static Optional<BigDecimal> bytes(Quantity q) {
    try {
      return Optional.of(q.getNumericalAmount());
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> endpoint(String field, String url) {
    if (url != null && !url.startsWith("https://") && !url.startsWith("http://")) {
      return Optional.of(field + ": '" + url + "' must start with https:// or http://");
    }
    return Optional.empty();
  }

  private static Optional<String> selector(String field, SecretKeySelector s) {
    if (s == null) {
      return Optional.of(field + ": required");
    }
    if (s.getName() == null || s.getName().isBlank()) {
      return Optional.of(field + ".name: the Secret's name is required");
    }
    if (s.getKey() == null || s.getKey().isBlank()) {
      return Optional.of(field + ".key: the key in Secret " + s.getName() + " is required");
    }
    return Optional.empty();
  }
}
