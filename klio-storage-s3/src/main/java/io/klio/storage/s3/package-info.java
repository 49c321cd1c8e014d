/**
 * Tier 2 backend: a {@code BlobStore} on S3 and S3-compatible object storage, registered for the
 * {@code s3:} scheme. Work on this module arrives with its own issue.
 */
package io.klio.storage.s3;
