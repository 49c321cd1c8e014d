package io.klio.crypto;

import java.io.IOException;

/**
 * A third party's key provider, registered through META-INF/services like a KMS plugin would be:
 * scheme {@code test-kms}, the location names a key held "in the KMS" (here: derived in memory).
 */
public final class TestKmsProvider implements KekProvider {

  @Override
  public String scheme() {
    return "test-kms";
  }

  @Override
  public Kek open(String location) throws IOException {
    byte[] key =
        KeyedChunkHasher.hkdf(
            location.getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {1});
    return new RawKek(key, "test KMS key " + location);
  }
}
