package io.klio.dedup.codec;

import java.util.Optional;

/**
 * Makes a {@link Codec} from its name and an optional parameter ({@code zstd:3}: level 3). Found
 * with {@link java.util.ServiceLoader}; see {@link Codecs}.
 */
public interface CodecProvider {

  String name();

  /**
   * @throws IllegalArgumentException for a parameter the codec does not accept
   */
  Codec create(Optional<String> parameter);
}
