/**
 * Encryption at rest with the user's keys. A repository's data keys live in a {@link
 * io.klio.crypto.KeyRing}, stored as a repository object wrapped by the user's key-encryption key
 * ({@link io.klio.crypto.Kek}); objects are sealed by {@link io.klio.crypto.SealedObjects} in the
 * format of {@code docs/format.md} with Tink's streaming AEAD, the object's storage key bound as
 * associated data. Rotating the KEK rewrites only the key ring.
 */
package io.klio.crypto;
