package io.klio.dedup.codec;

import io.klio.api.error.PermanentException;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds codecs by specification ({@code none}, {@code lz4}, {@code zstd}, {@code zstd:3}). */
public final class Codecs {

  private Codecs() {}

  public static Codec byName(String spec) {
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    Optional<String> param = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
    Map<String, CodecProvider> providers = new TreeMap<>();
    for (CodecProvider p : ServiceLoader.load(CodecProvider.class, Codecs.class.getClassLoader())) {
      CodecProvider earlier = providers.putIfAbsent(p.name(), p);
      if (earlier != null) {
        throw new IllegalStateException(
            "two codecs are named '"
                + p.name()
                + "': "
                + earlier.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    CodecProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown codec '" + spec + "'; known codecs: " + String.join(", ", providers.keySet()));
    }
    return p.create(param);
  }

  /**
   * The codec that decodes what was stored with codec byte {@code id} (0 none, 1 zstd, 2 lz4; the
   * level does not matter for decoding).
   *
   * @throws PermanentException for an unknown codec byte, naming it
   */
  public static Codec byId(int id) throws PermanentException {
    return switch (id) {
      case NoneCodec.ID -> NoneCodec.INSTANCE;
      case ZstdCodec.ID -> DEFAULT_ZSTD;
      case Lz4Codec.ID -> LZ4;
      default ->
          throw new PermanentException(
              "unknown codec byte "
                  + id
                  + " (written by a newer Klio? known: 0 none, 1 zstd, 2 lz4)");
    };
  }

  private static final Codec DEFAULT_ZSTD = new ZstdCodec(ZstdCodec.DEFAULT_LEVEL);
  private static final Codec LZ4 = new Lz4Codec();

  /** The stored form of a chunk and the codec that made it. */
  public record Encoded(Codec codec, byte[] bytes) {}

  /**
   * Encodes with {@code codec}, but keeps the chunk as it is when that does not make it smaller
   * (already compressed or encrypted data is common in a database).
   */
  public static Encoded encodeOrStore(Codec codec, byte[] data, int offset, int length) {
    if (codec.id() != NoneCodec.ID) {
      byte[] e = codec.encode(data, offset, length);
      if (e.length < length) {
        return new Encoded(codec, e);
      }
    }
    return new Encoded(NoneCodec.INSTANCE, NoneCodec.INSTANCE.encode(data, offset, length));
  }
}
