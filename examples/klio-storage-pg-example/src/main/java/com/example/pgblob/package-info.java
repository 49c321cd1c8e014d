/**
 * A worked example of a third party's storage backend: {@link com.example.pgblob.PgBlobStore}, a
 * {@link io.klio.storage.BlobStore} on a PostgreSQL table, registered for the {@code pgblob:}
 * scheme by {@link com.example.pgblob.PgBlobStoreProvider} in {@code META-INF/services}. It is one
 * store class, one provider class and one provider file, and its test runs Klio's {@code
 * BlobStoreContract}; {@code docs/storage-backends.md} walks through it.
 */
package com.example.pgblob;
