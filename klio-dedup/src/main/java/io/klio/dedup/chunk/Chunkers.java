package io.klio.dedup.chunk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chunkers by their stored description, {@code name(key=value,…)}: the form {@link
 * Chunker#describe()} writes into the repository config.
 */
public final class Chunkers {

  private static final Pattern SPEC = Pattern.compile("([a-z0-9-]+)\\(([^)]*)\\)");

  private Chunkers() {}

  public static Chunker parse(String spec) {
    Matcher m = SPEC.matcher(spec.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid chunker '"
              + spec
              + "'; expected name(key=value,...), such as fastcdc(min=262144,avg=1048576,max=4194304)");
    }
    Map<String, ChunkerProvider> providers = new TreeMap<>();
    for (ChunkerProvider p :
        ServiceLoader.load(ChunkerProvider.class, Chunkers.class.getClassLoader())) {
      if (providers.putIfAbsent(p.name(), p) != null) {
        throw new IllegalStateException("two chunkers are named '" + p.name() + "'");
      }
    }
    ChunkerProvider p = providers.get(m.group(1));
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown chunker '" + m.group(1) + "'; known: " + String.join(", ", providers.keySet()));
    }
    Map<String, Integer> params = new LinkedHashMap<>();
    for (String kv : m.group(2).split(",")) {
      if (kv.isBlank()) {
        continue;
      }
      String[] parts = kv.split("=", 2);
      if (parts.length != 2 || !p.parameterNames().contains(parts[0].trim())) {
        throw new IllegalArgumentException(
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
        throw new IllegalArgumentException(
            "chunker parameter '" + kv.trim() + "' is not a number", e);
      }
    }
    return p.create(params);
  }
}
