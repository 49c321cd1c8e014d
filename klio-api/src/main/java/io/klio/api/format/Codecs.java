package io.klio.api.format;

import io.klio.api.error.PermanentException;
import io.klio.api.spi.Providers;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The registry of codecs: every {@link CodecProvider} on the class path (found through {@link
 * Providers}), by id for readers and by name for writers. The one place that says which codec byte
 * means what, so that whatever a writer stores, a reader with the same jars can decode, and the
 * header reader ({@link ObjectHeader#read}) accepts a codec byte exactly when a codec has it.
 *
 * <p>Ids: {@value #NONE_ID} {@code none}, {@value #ZSTD_ID} {@code zstd}, {@value #LZ4_ID} {@code
 * lz4} are Klio's; 3 to 127 and 255 are reserved for Klio; a third party's codec takes an id from
 * {@value #FIRST_THIRD_PARTY_ID} to {@value #LAST_THIRD_PARTY_ID} (docs/format.md). Two providers
 * with one id or one name, a provider claiming a reserved id or one of Klio's names, or a provider
 * whose codec reports another id or name than the provider is a deployment error: every lookup
 * fails with an {@link IllegalStateException} naming the classes.
 *
 * <p>The class path is read the first time a codec is looked up, on the thread's context class
 * loader (or this class's), and kept: codecs are part of the repository format, and readers look
 * them up for every object. A lookup that failed is tried again on the next call. Thread-safe.
 */
public final class Codecs {

  /** {@code none}: the bytes as they are. */
  public static final int NONE_ID = 0;

  /** {@code zstd}: one zstd frame with the content checksum (klio-dedup). */
  public static final int ZSTD_ID = 1;

  /** {@code lz4}: one lz4 block and the CRC-32C of the original bytes (klio-dedup). */
  public static final int LZ4_ID = 2;

  /** The first id a third party's codec may take. */
  public static final int FIRST_THIRD_PARTY_ID = 128;

  /** The last id a third party's codec may take (255 is reserved). */
  public static final int LAST_THIRD_PARTY_ID = 254;

  private static final Map<Integer, String> KLIO_CODECS =
      Map.of(NONE_ID, "none", ZSTD_ID, "zstd", LZ4_ID, "lz4");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

  private static volatile Registry registry;

  private Codecs() {}

  /**
   * The codec of a specification: {@code none}, {@code lz4}, {@code zstd}, {@code zstd:3}, or a
   * third party's {@code name[:parameter]}.
   *
   * @throws PermanentException for an unknown name (listing the known ones) or a parameter the
   *     codec refuses
   * @throws IllegalStateException when the providers on the class path break the registry's rules
   */
  public static Codec byName(String spec) throws PermanentException {
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    Optional<String> param = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
    Registry r = registry();
    CodecProvider p = r.byName().get(name);
    if (p == null) {
      throw Providers.unknown(CodecProvider.class, "codec named", name, r.byName().keySet());
    }
    try {
      return p.create(param);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(e.getMessage(), e);
    }
  }

  /**
   * The codec that decodes what was stored with codec byte {@code id} (for zstd, any level).
   *
   * @throws PermanentException for a codec byte no codec on the class path has, naming it
   * @throws IllegalStateException when the providers on the class path break the registry's rules
   */
  public static Codec byId(int id) throws PermanentException {
    Codec c = registry().decoders().get(id);
    if (c == null) {
      throw new PermanentException(
          "unknown codec byte "
              + id
              + " (written by a newer Klio, or by a codec whose jar is not on the class path?"
              + " known: "
              + known()
              + ")");
    }
    return c;
  }

  /** Whether a codec with codec byte {@code id} is registered. */
  public static boolean isKnown(int id) {
    return registry().decoders().containsKey(id);
  }

  /** The registered codecs for messages: {@code 0 none, 1 zstd, 2 lz4}. */
  public static String known() {
    StringBuilder sb = new StringBuilder();
    registry()
        .decoders()
        .forEach((id, c) -> sb.append(sb.length() == 0 ? "" : ", ").append(id + " " + c.name()));
    return sb.toString();
  }

  /** The stored form of a chunk and the codec that made it. */
  public record Encoded(Codec codec, byte[] bytes) {}

  /**
   * Encodes with {@code codec}, but keeps the data as it is (codec {@code none}) when that does not
   * make it smaller (already compressed or encrypted data is common in a database).
   */
  public static Encoded encodeOrStore(Codec codec, byte[] data, int offset, int length) {
    if (codec.id() != NONE_ID) {
      byte[] e = codec.encode(data, offset, length);
      if (e.length < length) {
        return new Encoded(codec, e);
      }
    }
    return new Encoded(NoneCodec.INSTANCE, NoneCodec.INSTANCE.encode(data, offset, length));
  }

  private static Registry registry() {
    Registry r = registry;
    if (r == null) {
      r = load();
      registry = r; // two threads may both load: the same result, either one is kept
    }
    return r;
  }

  /** Reads the providers on the class path and checks the rules; package-private for tests. */
  static Registry load() {
    Map<Integer, CodecProvider> byId = Providers.all(CodecProvider.class, CodecProvider::id);
    Map<String, CodecProvider> byName = Providers.all(CodecProvider.class, CodecProvider::name);
    Map<Integer, Codec> decoders = new TreeMap<>();
    for (Map.Entry<Integer, CodecProvider> e : byId.entrySet()) {
      CodecProvider p = e.getValue();
      check(p);
      Codec c;
      try {
        c = p.create(Optional.empty());
      } catch (RuntimeException failed) {
        throw new IllegalStateException(
            "codec provider " + p.getClass().getName() + " fails without a parameter: " + failed,
            failed);
      }
      if (c.id() != p.id() || !c.name().equals(p.name())) {
        throw new IllegalStateException(
            "codec provider "
                + p.getClass().getName()
                + " declares "
                + p.id()
                + " '"
                + p.name()
                + "' but makes a codec that says "
                + c.id()
                + " '"
                + c.name()
                + "'");
      }
      decoders.put(e.getKey(), c);
    }
    return new Registry(byName, Collections.unmodifiableMap(decoders));
  }

  private static void check(CodecProvider p) {
    int id = p.id();
    String name = p.name();
    String klioName = KLIO_CODECS.get(id);
    String problem = null;
    if (id < 0 || id > 255) {
      problem = "id " + id + " does not fit the codec byte (0 to 255)";
    } else if (klioName != null && !klioName.equals(name)) {
      problem = "id " + id + " is Klio's codec '" + klioName + "'";
    } else if (klioName == null && KLIO_CODECS.containsValue(name)) {
      problem = "the name '" + name + "' is one of Klio's codecs";
    } else if (klioName == null && (id < FIRST_THIRD_PARTY_ID || id > LAST_THIRD_PARTY_ID)) {
      problem = "id " + id + " is reserved for Klio's codecs";
    } else if (!NAME.matcher(name).matches()) {
      problem = "the name '" + name + "' is not lower-case letters, digits and '-'";
    }
    if (problem != null) {
      throw new IllegalStateException(
          "codec provider "
              + p.getClass().getName()
              + " ("
              + id
              + " '"
              + name
              + "'): "
              + problem
              + "; a third party's codec takes an id from "
              + FIRST_THIRD_PARTY_ID
              + " to "
              + LAST_THIRD_PARTY_ID
              + " and a name of its own (docs/format.md)");
    }
  }

  /** What the class path holds: providers by name, and the decoding codec of each id. */
  record Registry(Map<String, CodecProvider> byName, Map<Integer, Codec> decoders) {}
}
