package io.klio.dedup.codec;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.CodecProvider;
import io.klio.api.format.Codecs;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * An lz4 block followed by the CRC-32C of the original bytes (lz4 blocks carry no checksum of their
 * own). Decoding uses the bounds-checked decompressor, so hostile input cannot read or write out of
 * bounds.
 */
public final class Lz4Codec implements Codec {

  private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
  private final LZ4Compressor compressor = FACTORY.fastCompressor();
  private final LZ4SafeDecompressor decompressor = FACTORY.safeDecompressor();

  @Override
  public String name() {
    return "lz4";
  }

  @Override
  public int id() {
    return Codecs.LZ4_ID;
  }

  @Override
  public byte[] encode(byte[] data, int offset, int length) {
    byte[] out = new byte[compressor.maxCompressedLength(length) + 4];
    int n = compressor.compress(data, offset, length, out, 0, out.length - 4);
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    ByteBuffer.wrap(out, n, 4).putInt((int) crc.getValue());
    return java.util.Arrays.copyOf(out, n + 4);
  }

  @Override
  public byte[] decode(byte[] encoded, int originalLength) throws PermanentException {
    if (encoded.length < 4) {
      throw new PermanentException("lz4 chunk is truncated (" + encoded.length + " bytes)");
    }
    byte[] out = new byte[originalLength];
    int n;
    try {
      n = decompressor.decompress(encoded, 0, encoded.length - 4, out, 0, originalLength);
    } catch (LZ4Exception e) {
      throw new PermanentException("lz4 chunk is corrupted: " + e.getMessage(), e);
    }
    CRC32C crc = new CRC32C();
    crc.update(out, 0, n);
    if (n != originalLength
        || (int) crc.getValue() != ByteBuffer.wrap(encoded, encoded.length - 4, 4).getInt()) {
      throw new PermanentException("lz4 chunk is corrupted (length or CRC-32C mismatch)");
    }
    return out;
  }

  /** {@code lz4}. */
  public static final class Provider implements CodecProvider {
    @Override
    public int id() {
      return Codecs.LZ4_ID;
    }

    @Override
    public String name() {
      return "lz4";
    }

    @Override
    public Codec create(Optional<String> parameter) {
      if (parameter.isPresent()) {
        throw new IllegalArgumentException("codec lz4 takes no parameter");
      }
      return new Lz4Codec();
    }
  }
}
