package io.klio.dedup.chunk;

import java.util.Map;
import java.util.Set;

/**
 * Makes {@link Chunker}s of one algorithm from named integer parameters. Found with {@link
 * java.util.ServiceLoader} by {@link #name()} (list the class in {@code
 * META-INF/services/io.klio.dedup.chunk.ChunkerProvider}; it needs a public no-argument
 * constructor); see {@link Chunkers}, which parses a stored description {@code name(key=value,…)}
 * and calls {@link #create}. Two providers with one name fail every lookup ({@link
 * IllegalStateException} naming both classes).
 *
 * <p>The name, the parameter names and what a set of parameters cuts are part of the repository
 * format: every repository created with them depends on the same bytes giving the same boundaries
 * forever. A new cut rule is a new name, never a new meaning for an old one.
 *
 * <p>A provider is created for each lookup, on the caller's thread; it must be cheap to create,
 * stateless and thread-safe.
 */
public interface ChunkerProvider {

  /** The algorithm's name, such as {@code fastcdc}: lower case letters, digits and {@code -}. */
  String name();

  /**
   * The names of the parameters {@link #create} takes, such as {@code min}, {@code avg}, {@code
   * max}: constant. {@link Chunkers#parse} refuses any other name before calling {@link #create},
   * so a misspelt parameter fails loudly; whether each one is required is {@link #create}'s
   * decision.
   */
  Set<String> parameterNames();

  /**
   * Makes a chunker. Called on the caller's thread, once per {@link Chunkers#parse}.
   *
   * @param parameters values by name, only names from {@link #parameterNames()}, each at most once,
   *     in the order written
   * @return a chunker whose {@link Chunker#describe()} is a description that {@link Chunkers#parse}
   *     turns back into a chunker with the same boundaries
   * @throws IllegalArgumentException for missing or invalid parameters, naming them ({@link
   *     Chunkers#parse} reports it as a {@link io.klio.api.error.PermanentException})
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
