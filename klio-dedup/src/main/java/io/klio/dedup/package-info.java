/**
 * Deduplicated storage of base backups: content-defined chunking, chunk ids, pack files and their
 * indexes, the chunk repository over the storage SPI. In place so far: the compression codecs
 * ({@link io.klio.dedup.codec}); the rest arrives with its issue.
 */
package io.klio.dedup;
