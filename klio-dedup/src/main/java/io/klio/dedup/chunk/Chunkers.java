package io.klio.dedup.chunk;

import io.klio.api.error.PermanentException;
import io.klio.api.spi.Providers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chunkers by their stored description, {@code name(key=value,…)}: the form {@link
 * Chunker#describe()} writes into the repository config. The {@link ChunkerProvider} of the name is
 * found through {@link Providers}. Stateless and thread-safe.
 */
public final class Chunkers {

  private static final Pattern SPEC = Pattern.compile("([a-z0-9-]+)\\(([^)]*)\\)");

  private Chunkers() {}

  /**
   * The chunker a description names.
   *
   * @throws PermanentException for a description that is not {@code name(key=value,…)}, an unknown
   *     name (listing the known ones), a parameter the chunker does not take or that is not a
   *     number, or parameters the chunker refuses; the message names the bad part
   * @throws IllegalStateException when two chunker providers share a name
   */
  public static Chunker parse(String spec) throws PermanentException {
    Matcher m = SPEC.matcher(spec.trim());
    if (!m.matches()) {
      throw new PermanentException(
          "invalid chunker '"
              + spec
              + "'; expected name(key=value,...), such as fastcdc(min=262144,avg=1048576,max=4194304)");
    }
    ChunkerProvider p =
        Providers.find(ChunkerProvider.class, ChunkerProvider::name, m.group(1), "chunker named");
    Map<String, Integer> params = new LinkedHashMap<>();
    for (String kv : m.group(2).split(",")) {
      if (kv.isBlank()) {
        continue;
      }
      String[] parts = kv.split("=", 2);
      if (parts.length != 2 || !p.parameterNames().contains(parts[0].trim())) {
        throw new PermanentException(
            "chunker "
                + p.name()
                + " has no parameter '"
                + kv.trim()
                + "'; it takes "
                + new TreeSet<>(p.parameterNames()));
      }
      try {
        params.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
      } catch (NumberFormatException e) {
        throw new PermanentException("chunker parameter '" + kv.trim() + "' is not a number", e);
      }
    }
    try {
      return p.create(params);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(e.getMessage(), e);
    }
  }
}
