package io.klio.crypto;

import io.klio.api.format.Codec;
import io.klio.api.format.CodecProvider;
import java.util.Optional;

/**
 * A third party's codec, registered through META-INF/services (it stores the bytes as they are).
 */
public final class TestCodecProvider implements CodecProvider {

  static final int ID = 200;

  @Override
  public int id() {
    return ID;
  }

  @Override
  public String name() {
    return "test-copy";
  }

  @Override
  public Codec create(Optional<String> parameter) {
    return new Codec() {
      @Override
      public String name() {
        return "test-copy";
      }

      @Override
      public int id() {
        return ID;
      }

      @Override
      public byte[] encode(byte[] data, int offset, int length) {
        return java.util.Arrays.copyOfRange(data, offset, offset + length);
      }

      @Override
      public byte[] decode(byte[] encoded, int originalLength) {
        return encoded.clone();
      }
    };
  }
}
