/**
 * Tier 1 storage: a {@link io.klio.storage.BlobStore} on a local filesystem, registered for the
 * {@code file:} scheme. Keys map to paths under the root directory. Writes go to a temporary file
 * in the target directory, are fsynced, renamed over the target and the directory is fsynced, so
 * readers never see a torn object and a crash leaves either the old or the new object. Open it with
 * {@link io.klio.storage.BlobStores#open(String)} and a {@code file:///path} URI.
 */
package io.klio.storage.fs;
