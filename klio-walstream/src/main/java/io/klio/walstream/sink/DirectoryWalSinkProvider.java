package io.klio.walstream.sink;

import io.klio.api.error.PermanentException;
import io.klio.walstream.WalSink;
import io.klio.walstream.WalSinkProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The {@code directory} sink: option {@code path}, the target directory. */
public final class DirectoryWalSinkProvider implements WalSinkProvider {

  @Override
  public String name() {
    return "directory";
  }

  @Override
  public Set<String> optionNames() {
    return Set.of("path");
  }

  @Override
  public WalSink open(Map<String, String> options) throws IOException {
    String path = options.get("path");
    if (path == null || path.isEmpty()) {
      throw new PermanentException("the directory WAL sink needs the option 'path'");
    }
    return new DirectoryWalSink(Path.of(path));
  }
}
