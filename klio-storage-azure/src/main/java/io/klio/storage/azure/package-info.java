/**
 * Tier 2 storage: a {@link io.klio.storage.BlobStore} on Azure Blob Storage, registered for the
 * {@code azure:} scheme ({@code azure://account/container/prefix}). Built on {@code
 * azure-storage-blob} over the JDK HttpClient (no Netty), with the SDK's retry policy and Klio's
 * error classification applied once. Open it with {@link io.klio.storage.BlobStores#open} and an
 * {@code azure:} URI; {@code docs/storage-backends.md} lists the options.
 */
package io.klio.storage.azure;
