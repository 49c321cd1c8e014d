package io.klio.storage.fs;

import io.klio.api.error.PermanentException;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStoreProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code file:} scheme: {@code file:///var/lib/klio/tier1} (absolute) or {@code
 * file:relative/dir}. Options: {@code create} ({@code true} by default) makes the root directory
 * when it is missing; with {@code false} a missing root is an error.
 */
public final class FsBlobStoreProvider implements BlobStoreProvider {

  static final String OPTION_CREATE = "create";

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public Set<String> optionNames() {
    return Set.of(OPTION_CREATE);
  }

  @Override
  public BlobStore open(URI uri, Map<String, String> options) throws IOException {
    boolean create = parseBoolean(options.getOrDefault(OPTION_CREATE, "true"));
    Path root = toPath(uri);
    if (!Files.isDirectory(root)) {
      if (Files.exists(root)) {
        throw new PermanentException(
            "storage root " + root + " (from '" + uri + "') exists but is not a directory");
      }
      if (!create) {
        throw new PermanentException(
            "storage root " + root + " does not exist; create it or set option create=true");
      }
    }
    return FsBlobStore.open(root);
  }

  private static Path toPath(URI uri) throws PermanentException {
    if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
      throw new PermanentException(
          "file storage URI '" + uri + "' names a host; write file:///absolute/path");
    }
    String path = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
    if (path == null || path.isEmpty()) {
      throw new PermanentException("file storage URI '" + uri + "' has no path");
    }
    return Path.of(path).toAbsolutePath().normalize();
  }

  private static boolean parseBoolean(String value) throws PermanentException {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new PermanentException(
            "option " + OPTION_CREATE + "='" + value + "' for file storage: use true or false");
    }
  }
}
