/**
 * {@link io.klio.testkit.storage.BlobStoreContract}: the suite every {@link
 * io.klio.storage.BlobStore} backend runs, ours and third parties'.
 */
package io.klio.testkit.storage;
