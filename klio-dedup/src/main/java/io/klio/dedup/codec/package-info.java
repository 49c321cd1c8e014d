/** Chunk compression codecs, found by name: {@code none}, {@code zstd[:level]}, {@code lz4}. */
package io.klio.dedup.codec;
