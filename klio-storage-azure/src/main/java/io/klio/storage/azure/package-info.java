/**
 * Tier 2 backend: a {@code BlobStore} on Azure Blob Storage, registered for the {@code azure:}
 * scheme. Work on this module arrives with its own issue.
 */
package io.klio.storage.azure;
