package io.klio.client.internal;

import io.klio.client.KlioClientOptions;
import io.klio.client.KlioConnection;
import java.io.IOException;

/**
 * Where {@link KlioConnection#open} is implemented: the one public class of this package, which is
 * not an API (use {@link KlioConnection}).
 */
public final class Connections {

  private Connections() {}

  public static KlioConnection open(KlioClientOptions options) throws IOException {
    return new ServerConnection(options, Channels.open(options));
  }
}
