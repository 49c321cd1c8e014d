package io.klio.dedup.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.CodecProvider;
import io.klio.api.format.Codecs;
import java.util.Optional;

/**
 * zstd frames with the content checksum on, so a corrupted frame fails to decode. The level (1–19,
 * 3 by default) changes only speed and size: any level decodes the same way.
 */
public final class ZstdCodec implements Codec {

  public static final int DEFAULT_LEVEL = 3;
  private final int level;

  public ZstdCodec(int level) {
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd level " + level + " is out of range 1-19");
    }
    this.level = level;
  }

  @Override
  public String name() {
    return "zstd";
  }

  @Override
  public int id() {
    return Codecs.ZSTD_ID;
  }

  public int level() {
    return level;
  }

  @Override
  public byte[] encode(byte[] data, int offset, int length) {
    byte[] out = new byte[(int) Zstd.compressBound(length)];
    long n = Zstd.compressByteArray(out, 0, out.length, data, offset, length, level, true);
    return java.util.Arrays.copyOf(out, (int) n);
  }

  @Override
  public byte[] decode(byte[] encoded, int originalLength) throws PermanentException {
    byte[] out = new byte[originalLength];
    try {
      long n = Zstd.decompressByteArray(out, 0, originalLength, encoded, 0, encoded.length);
      if (n != originalLength) {
        throw new PermanentException(
            "zstd chunk decoded to "
                + n
                + " bytes, its index says "
                + originalLength
                + ": corrupted");
      }
      return out;
    } catch (ZstdException | IllegalArgumentException e) {
      throw new PermanentException("zstd chunk is corrupted: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "zstd:" + level;
  }

  /** {@code zstd} or {@code zstd:<level>}. */
  public static final class Provider implements CodecProvider {
    @Override
    public int id() {
      return Codecs.ZSTD_ID;
    }

    @Override
    public String name() {
      return "zstd";
    }

    @Override
    public Codec create(Optional<String> parameter) {
      try {
        return new ZstdCodec(parameter.map(Integer::parseInt).orElse(DEFAULT_LEVEL));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "zstd level '" + parameter.get() + "' is not a number", e);
      }
    }
  }
}
