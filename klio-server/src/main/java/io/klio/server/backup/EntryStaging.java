package io.klio.server.backup;

import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.ManifestRecord;
import io.klio.api.io.DurableFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running backup's entries, written to a local file as they arrive (never held in memory), until
 * the commit copies them into the manifest object. The files live in Tier 1's {@code staging/}
 * directory, which is not part of the repository: the server empties it when it starts, since a
 * backup never outlives the server process that received it. Thread-safe.
 */
final class EntryStaging implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EntryStaging.class);

  private final Path file;
  private final OutputStream out;
  private long count;
  private boolean closed;

  private EntryStaging(Path file) throws IOException {
    this.file = file;
    this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
  }

  /** The staging directory under Tier 1's root, emptied of what an earlier process left. */
  static Path prepare(Path tier1) throws IOException {
    Path dir = tier1.resolve("staging");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          LOG.info("removing {}, left by a backup that ended with the server", p.getFileName());
          Files.deleteIfExists(p);
        }
      }
    }
    DurableFiles.createDirectories(dir);
    return dir;
  }

  static EntryStaging create(Path dir, String cluster, String backupId) throws IOException {
    return new EntryStaging(dir.resolve(cluster + "-" + backupId + ".entries"));
  }

  synchronized void append(FileEntry entry) throws IOException {
    if (closed) {
      throw new IllegalStateException("the backup's entries are closed");
    }
    ManifestRecord.newBuilder().setEntry(entry).build().writeDelimitedTo(out);
    count++;
  }

  synchronized long count() {
    return count;
  }

  /** The file, complete: no more entries. */
  synchronized Path finish() throws IOException {
    out.flush();
    return file;
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      try {
        out.close();
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }
}
