/**
 * The compressing codecs, {@code zstd[:level]} and {@code lz4}, registered as {@link
 * io.klio.api.format.CodecProvider}s (klio-api's {@link io.klio.api.format.Codecs} finds them, and
 * owns {@code none} and the codec ids).
 */
package io.klio.dedup.codec;
