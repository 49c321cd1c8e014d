package io.klio.dedup.repo;

import io.klio.api.error.PermanentException;
import io.klio.api.format.Codecs;
import io.klio.dedup.chunk.Chunkers;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The repository's config object: written once when the repository is created and never changed,
 * because every stored chunk depends on it (the chunker's boundaries, the id algorithm, the sealing
 * scheme). Stored as UTF-8 {@code key=value} lines; see docs/format.md.
 *
 * @param repositoryId a random id, also the associated data of the key ring
 * @param chunker the chunker's stored description, such as {@code fastcdc(min=..,avg=..,max=..)}
 * @param chunkId {@code sha256}, or {@code hmac-sha256} in an encrypted repository
 * @param codec the codec new chunks are compressed with, such as {@code zstd:3}; readers decode any
 * @param sealer {@code none} or the encryption scheme of chunks and index objects
 * @param packSize the target size of a pack in bytes
 */
public record RepositoryConfig(
    UUID repositoryId, String chunker, String chunkId, String codec, String sealer, int packSize) {

  /** The format version this code writes and reads. */
  public static final int FORMAT = 1;

  /**
   * The default chunker: 64 KiB / 256 KiB / 1 MiB, chosen by the study in BENCHMARKS.md (a 2%
   * update adds 3–6% of a full backup; smaller chunks dedup slightly better but multiply index size
   * and requests).
   */
  public static final String DEFAULT_CHUNKER = "fastcdc(min=65536,avg=262144,max=1048576)";

  /** The default target pack size: 32 MiB, few objects and requests, bounded writer memory. */
  public static final int DEFAULT_PACK_SIZE = 32 << 20;

  private static final Set<String> KEYS =
      Set.of("format", "repository-id", "chunker", "chunk-id", "codec", "sealer", "pack-size");

  /**
   * @throws IllegalArgumentException for an unknown or invalid chunker, codec, chunk-id algorithm
   *     or pack size, naming it
   */
  public RepositoryConfig {
    try {
      Chunkers.parse(chunker);
      Codecs.byName(codec);
    } catch (PermanentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!chunkId.equals("sha256") && !chunkId.equals("hmac-sha256")) {
      throw new IllegalArgumentException(
          "unknown chunk-id algorithm '" + chunkId + "'; known: sha256, hmac-sha256");
    }
    if (packSize < (1 << 20) || packSize > (1 << 30)) {
      throw new IllegalArgumentException("pack-size " + packSize + " is outside 1 MiB to 1 GiB");
    }
  }

  /** A new unencrypted repository's config with the defaults. */
  public static RepositoryConfig defaults() {
    return new RepositoryConfig(
        UUID.randomUUID(), DEFAULT_CHUNKER, "sha256", "zstd:3", "none", DEFAULT_PACK_SIZE);
  }

  public RepositoryConfig withChunker(String spec) {
    return new RepositoryConfig(repositoryId, spec, chunkId, codec, sealer, packSize);
  }

  public RepositoryConfig withCodec(String spec) {
    return new RepositoryConfig(repositoryId, chunker, chunkId, spec, sealer, packSize);
  }

  public RepositoryConfig withPackSize(int bytes) {
    return new RepositoryConfig(repositoryId, chunker, chunkId, codec, sealer, bytes);
  }

  /** Encrypted: keyed chunk ids and the given sealing scheme. */
  public RepositoryConfig withEncryption(String chunkIdAlgorithm, String sealerScheme) {
    return new RepositoryConfig(
        repositoryId, chunker, chunkIdAlgorithm, codec, sealerScheme, packSize);
  }

  byte[] serialize() {
    String text =
        "format="
            + FORMAT
            + "\nrepository-id="
            + repositoryId
            + "\nchunker="
            + chunker
            + "\nchunk-id="
            + chunkId
            + "\ncodec="
            + codec
            + "\nsealer="
            + sealer
            + "\npack-size="
            + packSize
            + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static RepositoryConfig parse(String where, byte[] bytes) throws PermanentException {
    Map<String, String> values = new LinkedHashMap<>();
    String text = new String(bytes, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq);
      if (eq < 0 || !KEYS.contains(key)) {
        throw new PermanentException(
            where + ": unknown field '" + key + "' (written by a newer Klio?); fields: " + KEYS);
      }
      values.put(key, line.substring(eq + 1));
    }
    String format = values.get("format");
    if (!String.valueOf(FORMAT).equals(format)) {
      throw new PermanentException(
          where
              + ": repository format "
              + format
              + " is not supported; this Klio reads format "
              + FORMAT
              + (format == null ? "" : " (upgrade Klio to read a newer repository)"));
    }
    for (String k : KEYS) {
      if (!values.containsKey(k)) {
        throw new PermanentException(where + ": field '" + k + "' is missing");
      }
    }
    try {
      return new RepositoryConfig(
          UUID.fromString(values.get("repository-id")),
          values.get("chunker"),
          values.get("chunk-id"),
          values.get("codec"),
          values.get("sealer"),
          Integer.parseInt(values.get("pack-size")));
    } catch (IllegalArgumentException e) {
      throw new PermanentException(where + ": " + e.getMessage(), e);
    }
  }
}
