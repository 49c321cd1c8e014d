package io.klio.walstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads libpq's password file: lines {@code hostname:port:database:username:password}, {@code *}
 * matching anything, {@code \:} and {@code \\} escaped, {@code #} comments. Like libpq, a file
 * readable by group or others is ignored with a warning.
 */
final class PgPass {

  private static final Logger LOG = LoggerFactory.getLogger(PgPass.class);

  private PgPass() {}

  static Optional<String> lookup(Path file, String host, int port, String db, String user) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn(
            "password file \"{}\" has group or world access; permissions should be u=rw (0600)"
                + " or less; ignoring it",
            file);
        return Optional.empty();
      }
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        List<String> f = split(line);
        if (f.size() < 5) {
          continue;
        }
        if (matches(f.get(0), host)
            && matches(f.get(1), Integer.toString(port))
            && matches(f.get(2), db)
            && matches(f.get(3), user)) {
          return Optional.of(f.get(4));
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("could not read password file \"{}\": {}", file, e.getMessage());
    }
    return Optional.empty();
  }

  private static boolean matches(String pattern, String value) {
    return pattern.equals("*") || pattern.equals(value);
  }

  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
      } else if (c == ':' && fields.size() < 4) {
        fields.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    fields.add(cur.toString());
    return fields;
  }
}
