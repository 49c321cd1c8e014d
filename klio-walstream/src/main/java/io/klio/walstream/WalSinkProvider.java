package io.klio.walstream;

import java.io.IOException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Makes {@link WalSink}s of one kind, found by {@link #name()} with {@link ServiceLoader} (list the
 * class in {@code META-INF/services/io.klio.walstream.WalSinkProvider}).
 */
public interface WalSinkProvider {

  /** The sink's name, such as {@code directory}. */
  String name();

  /** The option names {@link #open} accepts. */
  Set<String> optionNames();

  WalSink open(Map<String, String> options) throws IOException;

  /**
   * Opens a sink by provider name.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or option
   * @throws IllegalStateException when two providers share a name
   */
  static WalSink open(String name, Map<String, String> options) throws IOException {
    Map<String, WalSinkProvider> providers = new TreeMap<>();
    for (WalSinkProvider p : ServiceLoader.load(WalSinkProvider.class)) {
      WalSinkProvider earlier = providers.putIfAbsent(p.name(), p);
      if (earlier != null) {
        throw new IllegalStateException(
            "two WAL sink providers are named '"
                + p.name()
                + "': "
                + earlier.getClass().getName()
                + " and "
                + p.getClass().getName());
      }
    }
    WalSinkProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "no WAL sink named '"
              + name
              + "'; known sinks: "
              + String.join(", ", providers.keySet()));
    }
    for (String option : options.keySet()) {
      if (!p.optionNames().contains(option)) {
        throw new IllegalArgumentException(
            "unknown option '"
                + option
                + "' for the '"
                + name
                + "' WAL sink; it takes "
                + p.optionNames());
      }
    }
    return p.open(options);
  }
}
