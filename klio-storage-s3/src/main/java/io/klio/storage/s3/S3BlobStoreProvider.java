package io.klio.storage.s3;

import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The {@code s3:} scheme: {@code s3://bucket/optional/prefix}, with options in the URI's query
 * ({@code ?region=eu-west-1&sse=kms}) or in the options map. The options ({@code region}, {@code
 * endpoint}, {@code pathStyle}, {@code credentials}, {@code credentialsFile}, {@code profile},
 * {@code sse}, {@code kmsKeyId}, {@code storageClass}, {@code conditionalPut}, {@code verifyReads},
 * {@code partSize}, {@code uploadThreads}, {@code uploadBuffers}, {@code maxAttempts}) are
 * described in {@code docs/storage-backends.md}. Creating the provider is free; {@link #open}
 * builds one SDK client per store and does not touch the network unless it has to find the region.
 */
public final class S3BlobStoreProvider implements BlobStoreProvider {

  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public Set<String> optionNames() {
    return S3Config.NAMES;
  }

  @Override
  public BlobStore open(URI uri, Map<String, String> options) throws IOException {
    return S3BlobStore.open(S3Config.parse(uri, options));
  }
}
