package io.klio.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version written into the build, with the Java runtime it runs on. */
public final class KlioVersion implements IVersionProvider {

  /** The Klio version, such as {@code 0.1.0}. */
  public static String version() {
    try (InputStream in =
        KlioVersion.class.getResourceAsStream("/io/klio/server/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "klio " + version(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
