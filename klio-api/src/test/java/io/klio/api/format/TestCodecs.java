package io.klio.api.format;

import java.util.Optional;

/**
 * Third parties' codecs for the tests: {@link Reverse} is registered in this module's test
 * META-INF/services; the others break one rule of the registry each and are registered only by the
 * test that provokes it.
 */
final class TestCodecs {

  private TestCodecs() {}

  /** A provider of a codec that reverses the bytes, with the id and name it is given. */
  abstract static class Base implements CodecProvider {
    private final int id;
    private final String name;
    private final int codecId;

    Base(int id, String name, int codecId) {
      this.id = id;
      this.name = name;
      this.codecId = codecId;
    }

    @Override
    public int id() {
      return id;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Codec create(Optional<String> parameter) {
      if (parameter.isPresent()) {
        throw new IllegalArgumentException("codec " + name + " takes no parameter");
      }
      return new Codec() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public int id() {
          return codecId;
        }

        @Override
        public byte[] encode(byte[] data, int offset, int length) {
          byte[] out = new byte[length];
          for (int i = 0; i < length; i++) {
            out[i] = data[offset + length - 1 - i];
          }
          return out;
        }

        @Override
        public byte[] decode(byte[] encoded, int originalLength) {
          return encode(encoded, 0, encoded.length);
        }
      };
    }
  }

  /** Registered: id 200, {@code test-reverse}. */
  public static final class Reverse extends Base {
    public Reverse() {
      super(200, "test-reverse", 200);
    }
  }

  /** Claims Reverse's id. */
  public static final class SameId extends Base {
    public SameId() {
      super(200, "test-other", 200);
    }
  }

  /** Claims Reverse's name. */
  public static final class SameName extends Base {
    public SameName() {
      super(201, "test-reverse", 201);
    }
  }

  /** An id reserved for Klio's codecs. */
  public static final class ReservedId extends Base {
    public ReservedId() {
      super(7, "test-seven", 7);
    }
  }

  /** Klio's zstd id under another name. */
  public static final class KlioId extends Base {
    public KlioId() {
      super(1, "brotli", 1);
    }
  }

  /** One of Klio's names under a third-party id. */
  public static final class KlioName extends Base {
    public KlioName() {
      super(202, "zstd", 202);
    }
  }

  /** Declares 203, but its codec writes 200 into headers. */
  public static final class Lying extends Base {
    public Lying() {
      super(203, "test-lying", 200);
    }
  }
}
