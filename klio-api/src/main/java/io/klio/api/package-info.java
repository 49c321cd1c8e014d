/**
 * Klio's vocabulary: immutable value types that validate their input when they are built ({@link
 * io.klio.api.Lsn}, {@link io.klio.api.TimelineId}, {@link io.klio.api.WalFileName} …). Parsing bad
 * text throws {@link IllegalArgumentException} naming the text; no type has a sentinel value for
 * "invalid". Every type here is immutable and thread-safe.
 */
package io.klio.api;
