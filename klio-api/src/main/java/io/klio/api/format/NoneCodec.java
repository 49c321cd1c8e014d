package io.klio.api.format;

import io.klio.api.error.PermanentException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Stores data as it is: codec {@value Codecs#NONE_ID}, {@code none}. It lives here rather than with
 * the compressing codecs in klio-dedup because every reader needs it and it needs no library.
 */
public final class NoneCodec implements Codec {

  public static final NoneCodec INSTANCE = new NoneCodec();

  private NoneCodec() {}

  @Override
  public String name() {
    return "none";
  }

  @Override
  public int id() {
    return Codecs.NONE_ID;
  }

  @Override
  public byte[] encode(byte[] data, int offset, int length) {
    return Arrays.copyOfRange(data, offset, offset + length);
  }

  @Override
  public byte[] decode(byte[] encoded, int originalLength) throws PermanentException {
    if (encoded.length != originalLength) {
      throw new PermanentException(
          "stored chunk has " + encoded.length + " bytes, its index says " + originalLength);
    }
    return encoded.clone();
  }

  /** The {@code none} provider. */
  public static final class Provider implements CodecProvider {
    @Override
    public int id() {
      return Codecs.NONE_ID;
    }

    @Override
    public String name() {
      return "none";
    }

    @Override
    public Codec create(Optional<String> parameter) {
      if (parameter.isPresent()) {
        throw new IllegalArgumentException("codec none takes no parameter");
      }
      return INSTANCE;
    }
  }
}
