/**
 * The repository format's one home (docs/format.md): the common object header ({@link
 * io.klio.api.format.ObjectHeader}), the object type ids ({@link io.klio.api.format.ObjectType}),
 * the codec ids and the codec SPI ({@link io.klio.api.format.Codecs}, {@link
 * io.klio.api.format.CodecProvider}), and unencrypted objects ({@link
 * io.klio.api.format.PlainObjects}). klio-crypto seals encrypted objects in this format, klio-dedup
 * provides the compressing codecs, the server writes and reads WAL archive objects with it. Every
 * type here is immutable or stateless, and thread-safe.
 */
package io.klio.api.format;
