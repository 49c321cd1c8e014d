package io.klio.api.format;

import java.util.Optional;

/**
 * Makes the {@link Codec}s of one encoding, from its name and an optional parameter ({@code
 * zstd:3}: level 3). Found with {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/io.klio.api.format.CodecProvider}; it needs a public no-argument constructor.
 * {@link Codecs} looks providers up by {@link #id()} (readers) and by {@link #name()} (writers).
 *
 * <p>Ids {@value Codecs#NONE_ID} {@code none}, {@value Codecs#ZSTD_ID} {@code zstd} and {@value
 * Codecs#LZ4_ID} {@code lz4} are Klio's (the first lives in klio-api, the other two in klio-dedup);
 * 3 to 127 and 255 are reserved for Klio's future codecs. A third party's codec takes an id from
 * {@value Codecs#FIRST_THIRD_PARTY_ID} to {@value Codecs#LAST_THIRD_PARTY_ID} and a name of its
 * own. Two providers with one id or one name, a provider outside these rules, or one whose codecs
 * report another id or name, fail every lookup with an {@link IllegalStateException} naming the
 * classes: whatever a writer stores under an id, every reader with the same jars decodes with the
 * same codec.
 *
 * <p>Whatever a provider stores under its id must stay decodable by every later version of it: the
 * id and the name are the stored format's, not the implementation's. A provider is created once per
 * lookup of the registry and must be cheap to create; it is called from any thread.
 */
public interface CodecProvider {

  /**
   * The codec byte of the header and of pack records, 0 to 255 (see the class comment for who owns
   * which id). Constant: the same value on every call, in every version.
   */
  int id();

  /**
   * The name in the repository config and in {@code wal.compression}, such as {@code zstd}: lower
   * case letters, digits and {@code -}, no {@code :} (which separates the parameter). Constant.
   */
  String name();

  /**
   * Makes a codec. Empty {@code parameter} gives the codec {@link Codecs#byId} uses to decode, so
   * every parameter's output must decode with the codec made without one. Called from any thread.
   *
   * @param parameter the text after {@code name:}, such as {@code 3} in {@code zstd:3}
   * @throws IllegalArgumentException for a parameter the codec does not accept, naming it ({@link
   *     Codecs#byName} reports it as a {@link io.klio.api.error.PermanentException})
   */
  Codec create(Optional<String> parameter);
}
