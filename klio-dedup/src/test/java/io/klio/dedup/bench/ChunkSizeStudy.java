package io.klio.dedup.bench;

import io.klio.dedup.chunk.Chunker;
import io.klio.dedup.chunk.Chunkers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Measurement, not a test (bench/chunk-study.sh): chunks every file of two copies of a stopped
 * PostgreSQL data directory, before and after a change, with several chunkers, and prints what a
 * second, deduplicated backup would add, next to what a file-level incremental (whole changed
 * files, like pgBackRest's --type=incr) would add. Uncompressed bytes.
 *
 * <p>Usage: ChunkSizeStudy BEFORE_DIR AFTER_DIR chunker…
 */
public final class ChunkSizeStudy {

  private ChunkSizeStudy() {}

  record Scan(Set<ByteBuffer> ids, long totalBytes, long uniqueBytes, long chunks) {}

  public static void main(String[] args) throws Exception {
    Path before = Path.of(args[0]);
    Path after = Path.of(args[1]);
    long fileLevel = fileLevelIncrement(before, after);
    long afterTotal = totalBytes(after);
    System.out.printf(
        "data directory: %,d bytes; file-level incremental adds %,d bytes (%.2f%%)%n",
        afterTotal, fileLevel, 100.0 * fileLevel / afterTotal);
    for (String spec : Arrays.copyOfRange(args, 2, args.length)) {
      Chunker c = Chunkers.parse(spec);
      Scan a = scan(c, before, null);
      Scan b = scan(c, after, a.ids());
      System.out.printf(
          "%-45s chunks %,9d  first backup stores %,d bytes  second adds %,d bytes (%.2f%% of first; %.2f%% of file-level)%n",
          spec,
          a.chunks(),
          a.uniqueBytes(),
          b.uniqueBytes(),
          100.0 * b.uniqueBytes() / a.uniqueBytes(),
          100.0 * b.uniqueBytes() / Math.max(1, fileLevel));
    }
  }

  /** What a base backup reads: not pg_wal and the other directories backups skip. */
  static List<Path> files(Path root) throws IOException {
    Set<String> skipped =
        Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_stat_tmp",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_subtrans");
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !skipped.contains(root.relativize(p).getName(0).toString()))
          .filter(p -> !p.getFileName().toString().startsWith("postmaster."))
          .sorted()
          .toList();
    }
  }

  static long totalBytes(Path root) throws IOException {
    long t = 0;
    for (Path p : files(root)) {
      t += Files.size(p);
    }
    return t;
  }

  /** Bytes of the files of {@code after} that are new or differ from {@code before}. */
  static long fileLevelIncrement(Path before, Path after) throws IOException {
    long added = 0;
    for (Path p : files(after)) {
      Path old = before.resolve(after.relativize(p).toString());
      if (!Files.exists(old) || Files.mismatch(old, p) != -1) {
        added += Files.size(p);
      }
    }
    return added;
  }

  /** Chunk ids of every file; unique bytes are those of chunks not in {@code known} nor seen. */
  static Scan scan(Chunker c, Path root, Set<ByteBuffer> known) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Set<ByteBuffer> ids = new HashSet<>();
    long[] t = {0, 0, 0};
    for (Path p : files(root)) {
      try (InputStream in = Files.newInputStream(p)) {
        c.split(
            in,
            (b, off, len) -> {
              sha.update(b, off, len);
              ByteBuffer id = ByteBuffer.wrap(sha.digest());
              t[0] += len;
              t[2]++;
              if ((known == null || !known.contains(id)) && ids.add(id)) {
                t[1] += len;
              }
            });
      }
    }
    return new Scan(ids, t[0], t[1], t[2]);
  }
}
