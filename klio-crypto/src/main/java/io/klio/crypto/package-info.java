/**
 * Envelope encryption of repository objects with user-provided keys (Tink), the key ring and its
 * rotation, keyed chunk ids. Work on this module arrives with its own issue.
 */
package io.klio.crypto;
