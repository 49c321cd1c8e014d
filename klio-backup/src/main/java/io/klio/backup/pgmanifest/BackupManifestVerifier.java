package io.klio.backup.pgmanifest;

import io.klio.backup.pgmanifest.ManifestParser.Dialect;
import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Verifies a plain-format data directory against its {@code backup_manifest} with the rules of
 * pg_verifybackup, for hosts that have no pg_verifybackup (Klio's sidecar image). See the package
 * documentation for exactly what is checked and what is not (the WAL is not).
 *
 * <pre>{@code
 * Report r = BackupManifestVerifier.verify(pgdata, Options.defaults().ignoring("postgresql.conf"));
 * if (!r.ok()) r.findings().forEach(f -> System.err.println(f.message()));
 * }</pre>
 *
 * <p>Every problem is reported, not only the first; a manifest that cannot be used at all (it does
 * not parse, its checksum is wrong, it names a path twice) is the one finding. Never throws for
 * anything found on disk: unreadable files and directories are findings too. Thread-safe: {@link
 * #verify} holds no shared state.
 */
public final class BackupManifestVerifier {

  private BackupManifestVerifier() {}

  /**
   * What to verify and how.
   *
   * @param ignore paths relative to the data directory to leave out, each with everything under it
   *     (pg_verifybackup's {@code -i}), besides the ones always left out
   * @param skipChecksums verify the set of files and their sizes only (pg_verifybackup's {@code
   *     -s})
   * @param manifest the manifest to read, instead of {@code <dataDir>/backup_manifest}
   * @param emulateMajor act as the pg_verifybackup of this PostgreSQL major (15 and 16 read version
   *     1 only; 17 and 18 read 1 and 2 and require their own control file version); empty to read
   *     versions 1 and 2 and accept any control file version Klio knows
   */
  public record Options(
      List<String> ignore,
      boolean skipChecksums,
      Optional<Path> manifest,
      OptionalInt emulateMajor) {

    /** The paths pg_verifybackup always ignores. */
    public static final List<String> ALWAYS_IGNORED =
        List.of(
            "backup_manifest",
            "pg_wal",
            "postgresql.auto.conf",
            "recovery.signal",
            "standby.signal");

    public Options {
      ignore = ignore.stream().map(Options::canonical).toList();
      Objects.requireNonNull(manifest, "manifest");
      Objects.requireNonNull(emulateMajor, "emulateMajor");
      if (emulateMajor.isPresent()
          && !ControlFile.VERSION_OF_MAJOR.containsKey(emulateMajor.getAsInt())) {
        throw new IllegalArgumentException(
            "cannot emulate the pg_verifybackup of PostgreSQL "
                + emulateMajor.getAsInt()
                + "; choose one of 15, 16, 17, 18");
      }
    }

    /** The defaults: nothing more ignored, checksums verified, manifest versions 1 and 2. */
    public static Options defaults() {
      return new Options(List.of(), false, Optional.empty(), OptionalInt.empty());
    }

    /** These options with {@code paths} ignored too. */
    public Options ignoring(String... paths) {
      List<String> all = new ArrayList<>(ignore);
      all.addAll(List.of(paths));
      return new Options(all, skipChecksums, manifest, emulateMajor);
    }

    public Options skippingChecksums() {
      return new Options(ignore, true, manifest, emulateMajor);
    }

    public Options withManifest(Path manifestFile) {
      return new Options(ignore, skipChecksums, Optional.of(manifestFile), emulateMajor);
    }

    public Options emulating(int pgMajor) {
      return new Options(ignore, skipChecksums, manifest, OptionalInt.of(pgMajor));
    }

    List<String> allIgnored() {
      List<String> all = new ArrayList<>(ALWAYS_IGNORED);
      all.addAll(ignore);
      return all;
    }

    private static String canonical(String path) {
      if (path.startsWith("/")) {
        throw new IllegalArgumentException(
            "ignore path '" + path + "' must be relative to the data directory");
      }
      List<String> parts = new ArrayList<>();
      for (String p : path.split("/")) {
        if (p.equals("..")) {
          throw new IllegalArgumentException(
              "ignore path '" + path + "' must not leave the data directory");
        }
        if (!p.isEmpty() && !p.equals(".")) {
          parts.add(p);
        }
      }
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("ignore path '" + path + "' names no file");
      }
      return String.join("/", parts);
    }
  }

  /** What a finding is about. */
  public enum Kind {
    /** The manifest cannot be used: unreadable, unparsable, a bad checksum, a duplicate path. */
    MANIFEST,
    /** {@code global/pg_control} does not match a version 2 manifest or is damaged. */
    CONTROL_FILE,
    /** A file or directory could not be examined or read. */
    UNREADABLE,
    /** Something on disk is neither a regular file nor a directory (a FIFO, a socket, a device). */
    NOT_REGULAR_FILE,
    /** A file on disk that the manifest does not list. */
    NOT_IN_MANIFEST,
    /** A file the manifest lists that is not on disk. */
    MISSING,
    /** A file whose size on disk differs from the manifest's. */
    SIZE_MISMATCH,
    /** A file whose content does not have the manifest's checksum. */
    CHECKSUM_MISMATCH
  }

  /**
   * One problem.
   *
   * @param path the path relative to the data directory it is about, when it is about one
   * @param message what is wrong, in pg_verifybackup's words
   */
  public record Finding(Kind kind, Optional<String> path, String message) {
    public Finding {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return message;
    }
  }

  /**
   * The outcome.
   *
   * @param findings every problem found, in the order found
   * @param manifestVersion the manifest's version, when it could be read
   * @param manifestFiles the number of files the manifest lists
   * @param checksummedFiles the files whose checksums were verified
   * @param checksummedBytes the bytes read to verify them
   */
  public record Report(
      List<Finding> findings,
      OptionalInt manifestVersion,
      int manifestFiles,
      int checksummedFiles,
      long checksummedBytes) {

    public Report {
      findings = List.copyOf(findings);
    }

    /** True when nothing is wrong. */
    public boolean ok() {
      return findings.isEmpty();
    }
  }

  /** Verifies {@code dataDir}; never throws for what it finds (see {@link Report#findings()}). */
  public static Report verify(Path dataDir, Options options) {
    Path manifestFile = options.manifest().orElse(dataDir.resolve("backup_manifest"));
    ParsedManifest manifest;
    try (InputStream in = Files.newInputStream(manifestFile)) {
      Dialect dialect =
          options.emulateMajor().isPresent() && options.emulateMajor().getAsInt() <= 16
              ? Dialect.V1_ONLY
              : Dialect.V1_OR_V2;
      manifest = ManifestParser.parse(in, dialect, fileNameCharset());
    } catch (IOException e) {
      return fatal(
          Kind.MANIFEST, "could not read file \"" + manifestFile + "\": " + IoReason.of(e));
    } catch (ManifestParseException e) {
      return fatal(Kind.MANIFEST, e.getMessage());
    }
    if (!Files.isDirectory(dataDir)) {
      return fatal(
          Kind.UNREADABLE,
          "could not open directory \"" + dataDir + "\": " + notADirectory(dataDir));
    }
    List<Finding> findings = new ArrayList<>();
    DirectoryCheck walk = new DirectoryCheck(dataDir, manifest, options, findings);
    walk.run();
    for (ManifestEntry e : manifest.files().values()) {
      if (!walk.matched(e.path()) && !walk.ignored(e.path())) {
        findings.add(
            new Finding(
                Kind.MISSING,
                Optional.of(e.path()),
                "\"" + e.path() + "\" is present in the manifest but not on disk"));
      }
    }
    int files = 0;
    long bytes = 0;
    if (!options.skipChecksums()) {
      ChecksumCheck sums = new ChecksumCheck(findings);
      for (ManifestEntry e : manifest.files().values()) {
        Optional<Path> onDisk = walk.goodFile(e.path());
        if (onDisk.isPresent() && e.algorithm() != ChecksumAlgorithm.NONE) {
          bytes += sums.verify(e, onDisk.get());
          files++;
        }
      }
    }
    return new Report(
        findings, OptionalInt.of(manifest.version()), manifest.files().size(), files, bytes);
  }

  private static Report fatal(Kind kind, String message) {
    return new Report(
        List.of(new Finding(kind, Optional.empty(), message)), OptionalInt.empty(), 0, 0, 0);
  }

  private static String notADirectory(Path p) {
    return Files.exists(p) ? "Not a directory" : "No such file or directory";
  }

  /** The charset java.nio uses for file names on this JVM. */
  static Charset fileNameCharset() {
    String jnu = System.getProperty("sun.jnu.encoding");
    try {
      return jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset();
    }
  }
}
