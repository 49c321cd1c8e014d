package io.klio.dedup.chunk;

import java.util.Map;
import java.util.Set;

/**
 * Makes {@link Chunker}s of one algorithm from named integer parameters. Found with {@link
 * java.util.ServiceLoader}; see {@link Chunkers}.
 */
public interface ChunkerProvider {

  /** The algorithm's name, such as {@code fastcdc}. */
  String name();

  Set<String> parameterNames();

  /**
   * @throws IllegalArgumentException for missing or invalid parameters, naming them
   */
  Chunker create(Map<String, Integer> parameters);

  /** {@code fastcdc(min, avg, max)}. */
  final class FastCdcProvider implements ChunkerProvider {
    @Override
    public String name() {
      return "fastcdc";
    }

    @Override
    public Set<String> parameterNames() {
      return Set.of("min", "avg", "max");
    }

    @Override
    public Chunker create(Map<String, Integer> p) {
      return new FastCdc(required(p, "min"), required(p, "avg"), required(p, "max"));
    }
  }

  /** {@code fixed(size)}. */
  final class FixedProvider implements ChunkerProvider {
    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public Set<String> parameterNames() {
      return Set.of("size");
    }

    @Override
    public Chunker create(Map<String, Integer> p) {
      return new FixedChunker(required(p, "size"));
    }
  }

  private static int required(Map<String, Integer> p, String name) {
    Integer v = p.get(name);
    if (v == null) {
      throw new IllegalArgumentException("chunker parameter '" + name + "' is missing");
    }
    return v;
  }
}
