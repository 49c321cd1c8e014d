package io.klio.backup.pgmanifest;

import io.klio.backup.pgmanifest.ParsedManifest.ManifestEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Parses a {@code backup_manifest} exactly as strictly as PostgreSQL's parser ({@code
 * src/common/parse_manifest.c}, and {@code src/bin/pg_verifybackup/parse_manifest.c} before 17):
 * the same JSON grammar, the same state machine (the version first, the checksum last, no unknown
 * key at any level, every value a scalar where one is expected), the same conversions of the values
 * and the same manifest checksum rule. Streams the input; memory grows with the number of entries
 * only.
 */
final class ManifestParser implements JsonDocument.Events {

  /** Which parser to be: PostgreSQL 13 to 16 know version 1 only; 17 and later 1 and 2. */
  enum Dialect {
    /** Version 1 only; {@code System-Identifier} is an unknown key. */
    V1_ONLY,
    /** Version 1 or 2, as PostgreSQL 17 and later. */
    V1_OR_V2
  }

  private enum State {
    TOPLEVEL_START,
    TOPLEVEL_END,
    TOPLEVEL_FIELD,
    VERSION_VALUE,
    SYSTEM_IDENTIFIER_VALUE,
    FILES_START,
    FILES_NEXT,
    THIS_FILE_FIELD,
    THIS_FILE_VALUE,
    WAL_RANGES_START,
    WAL_RANGES_NEXT,
    THIS_WAL_RANGE_FIELD,
    THIS_WAL_RANGE_VALUE,
    MANIFEST_CHECKSUM_VALUE,
    EOF
  }

  private final JsonLexer lex;
  private final ManifestDigest digest = new ManifestDigest();
  private final Dialect dialect;
  private final Charset fileNames;

  private State state = State.TOPLEVEL_START;
  private boolean sawVersion;
  private int version;
  private OptionalLong systemIdentifier = OptionalLong.empty();
  private byte[] manifestChecksum;
  private final Map<String, ManifestEntry> files = new LinkedHashMap<>();
  private final List<ParsedManifest.RawWalRange> walRanges = new ArrayList<>();

  private String field;
  private final Map<String, byte[]> object = new LinkedHashMap<>();

  private ManifestParser(InputStream in, Dialect dialect, Charset fileNames) {
    this.lex = new JsonLexer(in, digest);
    this.dialect = dialect;
    this.fileNames = fileNames;
  }

  /**
   * Parses a whole manifest.
   *
   * @param fileNames the charset that maps file name bytes to Java strings ({@code
   *     sun.jnu.encoding})
   * @throws ManifestParseException with pg_verifybackup's message when PostgreSQL would refuse it
   */
  static ParsedManifest parse(InputStream in, Dialect dialect, Charset fileNames)
      throws IOException, ManifestParseException {
    return new ManifestParser(in, dialect, fileNames).run();
  }

  private ParsedManifest run() throws IOException, ManifestParseException {
    JsonDocument.parse(lex, this);
    if (state != State.EOF) {
      throw failure("manifest ended unexpectedly");
    }
    lex.drain();
    byte[] actual = digest.coveredDigest();
    byte[] expected = manifestChecksum.length == 64 ? Hex.decode(manifestChecksum) : null;
    if (expected == null) {
      throw new ManifestParseException(
          "invalid manifest checksum: \"" + text(manifestChecksum) + "\"");
    }
    if (!MessageDigest.isEqual(actual, expected)) {
      throw new ManifestParseException("manifest checksum mismatch");
    }
    return new ParsedManifest(version, systemIdentifier, files, walRanges);
  }

  // ---- the semantic actions: pg's json_manifest_* callbacks ----

  @Override
  public void objectStart() throws ManifestParseException {
    switch (state) {
      case TOPLEVEL_START -> state = State.TOPLEVEL_FIELD;
      case FILES_NEXT -> {
        state = State.THIS_FILE_FIELD;
        object.clear();
      }
      case WAL_RANGES_NEXT -> {
        state = State.THIS_WAL_RANGE_FIELD;
        object.clear();
      }
      default -> throw failure("unexpected object start");
    }
  }

  @Override
  public void objectEnd() throws ManifestParseException {
    switch (state) {
      case TOPLEVEL_END -> state = State.EOF;
      case THIS_FILE_FIELD -> {
        finishFile();
        state = State.FILES_NEXT;
      }
      case THIS_WAL_RANGE_FIELD -> {
        finishWalRange();
        state = State.WAL_RANGES_NEXT;
      }
      default -> throw failure("unexpected object end");
    }
  }

  @Override
  public void arrayStart() throws ManifestParseException {
    switch (state) {
      case FILES_START -> state = State.FILES_NEXT;
      case WAL_RANGES_START -> state = State.WAL_RANGES_NEXT;
      default -> throw failure("unexpected array start");
    }
  }

  @Override
  public void arrayEnd() throws ManifestParseException {
    switch (state) {
      case FILES_NEXT, WAL_RANGES_NEXT -> state = State.TOPLEVEL_FIELD;
      default -> throw failure("unexpected array end");
    }
  }

  @Override
  public void fieldStart(String name) throws ManifestParseException {
    switch (state) {
      case TOPLEVEL_FIELD -> {
        if (!sawVersion) {
          if (!name.equals("PostgreSQL-Backup-Manifest-Version")) {
            throw failure("expected version indicator");
          }
          sawVersion = true;
          state = State.VERSION_VALUE;
        } else if (name.equals("System-Identifier") && dialect == Dialect.V1_OR_V2) {
          state = State.SYSTEM_IDENTIFIER_VALUE;
        } else if (name.equals("Files")) {
          state = State.FILES_START;
        } else if (name.equals("WAL-Ranges")) {
          state = State.WAL_RANGES_START;
        } else if (name.equals("Manifest-Checksum")) {
          state = State.MANIFEST_CHECKSUM_VALUE;
        } else {
          throw failure("unrecognized top-level field");
        }
      }
      case THIS_FILE_FIELD -> {
        switch (name) {
          case "Path",
              "Encoded-Path",
              "Size",
              "Last-Modified",
              "Checksum-Algorithm",
              "Checksum" -> {}
          default -> throw failure("unexpected file field");
        }
        field = name;
        state = State.THIS_FILE_VALUE;
      }
      case THIS_WAL_RANGE_FIELD -> {
        switch (name) {
          case "Timeline", "Start-LSN", "End-LSN" -> {}
          default -> throw failure("unexpected WAL range field");
        }
        field = name;
        state = State.THIS_WAL_RANGE_VALUE;
      }
      default -> throw failure("unexpected object field");
    }
  }

  @Override
  public void scalar(byte[] token) throws ManifestParseException {
    switch (state) {
      case VERSION_VALUE -> {
        version = parseVersion(token);
        state = State.TOPLEVEL_FIELD;
      }
      case SYSTEM_IDENTIFIER_VALUE -> {
        Long id = CNumbers.strtoul(token);
        if (id == null) {
          throw failure("manifest system identifier not an integer");
        }
        systemIdentifier = OptionalLong.of(id);
        state = State.TOPLEVEL_FIELD;
      }
      case THIS_FILE_VALUE -> {
        object.put(field, token); // a repeated key: the last value wins, as in pg
        state = State.THIS_FILE_FIELD;
      }
      case THIS_WAL_RANGE_VALUE -> {
        object.put(field, token);
        state = State.THIS_WAL_RANGE_FIELD;
      }
      case MANIFEST_CHECKSUM_VALUE -> {
        manifestChecksum = token;
        state = State.TOPLEVEL_END;
      }
      default -> throw failure("unexpected scalar");
    }
  }

  private int parseVersion(byte[] token) throws ManifestParseException {
    if (dialect == Dialect.V1_ONLY) {
      if (!Arrays.equals(token, new byte[] {'1'})) {
        throw failure("unexpected manifest version");
      }
      return 1;
    }
    Long v = CNumbers.strtoi64(token);
    if (v == null) {
      throw failure("manifest version not an integer");
    }
    int version = (int) (long) v; // pg assigns the int64 to an int
    if (version != 1 && version != 2) {
      throw failure("unexpected manifest version");
    }
    return version;
  }

  private void finishFile() throws ManifestParseException {
    byte[] path = object.get("Path");
    byte[] encoded = object.get("Encoded-Path");
    byte[] size = object.get("Size");
    byte[] algorithm = object.get("Checksum-Algorithm");
    byte[] checksum = object.get("Checksum");
    if (path == null && encoded == null) {
      throw failure("missing path name");
    }
    if (path != null && encoded != null) {
      throw failure("both path name and encoded path name");
    }
    if (size == null) {
      throw failure("missing size");
    }
    if (algorithm == null && checksum != null) {
      throw failure("checksum without algorithm");
    }
    if (encoded != null) {
      path = Hex.decode(encoded);
      if (path == null) {
        throw failure("could not decode file name");
      }
      path = cString(path);
    }
    Long bytes = CNumbers.strtoul(size);
    if (bytes == null) {
      throw failure("file size is not an integer");
    }
    ChecksumAlgorithm type = ChecksumAlgorithm.NONE;
    if (algorithm != null) {
      type =
          ChecksumAlgorithm.parse(text(algorithm))
              .orElseThrow(
                  () ->
                      new ManifestParseException(
                          "unrecognized checksum algorithm: \"" + text(algorithm) + "\""));
    }
    byte[] payload = new byte[0];
    if (checksum != null && checksum.length > 0) {
      payload = Hex.decode(checksum);
      if (payload == null) {
        throw new ManifestParseException(
            "invalid checksum for file \"" + text(path) + "\": \"" + text(checksum) + "\"");
      }
    }
    String name = new String(path, fileNames);
    byte[] lastModified = object.get("Last-Modified");
    ManifestEntry e =
        new ManifestEntry(
            name, bytes, type, payload, lastModified == null ? null : text(lastModified));
    if (files.putIfAbsent(name, e) != null) {
      throw new ManifestParseException("duplicate path name in backup manifest: \"" + name + "\"");
    }
  }

  private void finishWalRange() throws ManifestParseException {
    byte[] tli = object.get("Timeline");
    byte[] start = object.get("Start-LSN");
    byte[] end = object.get("End-LSN");
    if (tli == null) {
      throw failure("missing timeline");
    }
    if (start == null) {
      throw failure("missing start LSN");
    }
    if (end == null) {
      throw failure("missing end LSN");
    }
    Long timeline = CNumbers.strtoul(tli);
    if (timeline == null) {
      throw failure("timeline is not an integer");
    }
    Long startLsn = CNumbers.scanLsn(start);
    if (startLsn == null) {
      throw failure("could not parse start LSN");
    }
    Long endLsn = CNumbers.scanLsn(end);
    if (endLsn == null) {
      throw failure("could not parse end LSN");
    }
    walRanges.add(new ParsedManifest.RawWalRange(timeline & 0xFFFFFFFFL, startLsn, endLsn));
  }

  /** The bytes up to the first NUL, as C sees a decoded file name. */
  private static byte[] cString(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return Arrays.copyOf(b, i);
      }
    }
    return b;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private ManifestParseException failure(String detail) {
    return lex.fail(detail);
  }
}
