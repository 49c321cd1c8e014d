package io.klio.server.quickstart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OS user that runs PostgreSQL and the commands next to it (send-wal, backup, restore and the
 * restore_command): the current user, or, when that is root (PostgreSQL refuses to run as root),
 * {@code postgres} or else {@code nobody}, switched to with {@code setpriv}, which execs the
 * command in the same process (signals reach it directly), as the database host's own user would
 * run them.
 *
 * @param name the user name
 * @param home its home directory (the launcher keeps its class-data archives there)
 * @param switched whether commands are run through {@code setpriv} (the current user is root)
 */
record OsUser(String name, Path home, boolean switched) {

  private static final List<String> FALLBACKS = List.of("postgres", "nobody");

  static OsUser forPostgres() throws IOException {
    String me = System.getProperty("user.name");
    if (!"root".equals(me)) {
      return new OsUser(me, Path.of(System.getProperty("user.home")), false);
    }
    for (String candidate : FALLBACKS) {
      Optional<Path> home = home(candidate);
      if (home.isPresent()) {
        return new OsUser(candidate, home.get(), true);
      }
    }
    throw new IOException(
        "running as root, and PostgreSQL refuses to run as root, but there is no user "
            + String.join(" or ", FALLBACKS)
            + " to run it as; create one (useradd --system postgres) or run as another user");
  }

  /** The home directory of {@code user} in /etc/passwd, when the user exists. */
  private static Optional<Path> home(String user) throws IOException {
    for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length >= 7 && f[0].equals(user)) {
        return Optional.of(Path.of(f[5].isEmpty() ? "/" : f[5]));
      }
    }
    return Optional.empty();
  }

  /** {@code command} run as this user. */
  List<String> command(List<String> command) {
    if (!switched) {
      return command;
    }
    List<String> cmd =
        new ArrayList<>(
            List.of("setpriv", "--reuid=" + name, "--regid=" + name, "--init-groups", "--"));
    cmd.addAll(command);
    return cmd;
  }

  /** What the environment of a command run as this user should say instead of the caller's. */
  Map<String, String> environment() {
    return switched ? Map.of("HOME", home.toString(), "USER", name, "LOGNAME", name) : Map.of();
  }

  /** Gives {@code path} (and everything under it) to this user, when commands are switched. */
  void own(Path path) throws IOException, InterruptedException {
    if (switched) {
      Processes.check(List.of("chown", "-R", name + ":", path.toString()));
    }
  }

  /** Lets this user read (and enter) everything under {@code path}, when commands are switched. */
  void letRead(Path path) throws IOException, InterruptedException {
    if (switched) {
      Processes.check(List.of("chmod", "-R", "a+rX", path.toString()));
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
