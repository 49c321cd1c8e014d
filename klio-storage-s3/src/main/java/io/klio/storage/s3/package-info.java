/**
 * Tier 2 storage: a {@link io.klio.storage.BlobStore} on S3 and S3-compatible object storage
 * (MinIO, Ceph RGW, S3Proxy …), registered for the {@code s3:} scheme by {@link
 * io.klio.storage.s3.S3BlobStoreProvider}. Open it with {@link io.klio.storage.BlobStores#open} and
 * a URI such as {@code s3://bucket/prefix?region=eu-west-1}. It uses the AWS SDK v2 on the JDK's
 * HTTP client; docs/storage-backends.md lists its options and says how it writes, checks and
 * retries.
 */
package io.klio.storage.s3;
