package io.klio.backup;

import io.klio.api.ChunkHasher;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.api.grpc.v1.Tablespace;
import io.klio.api.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Rebuilds a data directory from a backup's manifest entries and its chunks: creates every
 * directory, writes every regular file in parallel from its chunks (each chunk decoded and checked
 * against its id by hashing it again, each file checked against the length and CRC-32C of its
 * entry), sets modes and modification times, fsyncs each file and every directory it created. The
 * files of {@code pg_tblspc/<oid>/…} go into the tablespace's directory (its original location, or
 * the one a {@link TablespaceMapping} gives) and {@code pg_tblspc/<oid>} becomes a link to it.
 *
 * <p>Nothing is written unless the target data directory and each tablespace directory are new or
 * empty. On the first error (a corrupted or missing chunk, a file that does not match its entry)
 * every worker stops; the file being written is removed and no further file is started. Each
 * written file is reported to the {@link RestoreListener}, so that the caller can write
 * PostgreSQL's {@code backup_manifest}; {@link #writeBackupLabel} and {@link #writeTablespaceMap}
 * add the two files {@code pg_backup_stop} returned.
 *
 * <p>Memory does not grow with the number or size of files: entries are read from the iterator as
 * workers take them, each worker holds its read-ahead window; only the directories are remembered
 * (one small record each) to set their modes and times at the end.
 *
 * <p>One restore per instance: call {@link #check()} (optional, to fail early), {@link #run}, then
 * {@link #writeBackupLabel} and {@link #writeTablespaceMap}. Not thread-safe; {@link #run} uses
 * {@link Builder#workers} threads of its own that end before it returns.
 */
public final class RestoreWriter {

  /** The default read-ahead of each worker: 16 MiB of chunks ... */
  public static final long DEFAULT_READ_AHEAD_BYTES = 16 << 20;

  /** ... or 512 chunks. */
  public static final int DEFAULT_READ_AHEAD_CHUNKS = 512;

  private final RestoreLayout layout;
  private final ChunkHasher hasher;
  private final ChunkSourceFactory sources;
  private final int workers;
  private final long readAheadBytes;
  private final int readAheadChunks;
  private final RestoreListener listener;
  private final long bytesTotal;
  private final long filesTotal;
  private final RestoreDirectories dirs = new RestoreDirectories();
  private RestoreCounters counters;
  private boolean ran;

  private RestoreWriter(Builder b, RestoreLayout layout) {
    this.layout = layout;
    this.hasher = Objects.requireNonNull(b.hasher, "hasher");
    this.sources = Objects.requireNonNull(b.sources, "sources");
    this.workers = b.workers;
    this.readAheadBytes = b.readAheadBytes;
    this.readAheadChunks = b.readAheadChunks;
    this.listener = b.listener;
    this.bytesTotal = b.bytesTotal;
    this.filesTotal = b.filesTotal;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Refuses, before anything is written, a target or tablespace directory that exists and is not
   * empty; the message says how to proceed.
   */
  public void check() throws IOException {
    layout.check();
  }

  /** Where each tablespace (by oid) is restored, when not in place. */
  public Map<String, Path> tablespaceDirectories() {
    Map<String, Path> m = new java.util.LinkedHashMap<>();
    for (RestoreLayout.Target t : layout.linkedTablespaces()) {
      m.put(t.oid(), t.directory());
    }
    return m;
  }

  /**
   * Restores every entry of {@code entries} (directories and regular files of one backup, in any
   * order; read lazily, exceptions of the iterator pass through).
   *
   * @throws PermanentException when a target directory is not empty (nothing written), a chunk is
   *     corrupted (naming the file, offset, chunk and where it is stored), or an entry is damaged
   */
  public RestoreResult run(Iterator<FileEntry> entries) throws IOException, InterruptedException {
    if (ran) {
      throw new IllegalStateException("a RestoreWriter restores once; make another one");
    }
    ran = true;
    long start = System.nanoTime();
    layout.check();
    counters = new RestoreCounters(bytesTotal, filesTotal, listener, start);
    layout.create(dirs);
    WorkQueue<RestoreTask> queue = new WorkQueue<>(workers);
    List<Thread> threads = startWorkers(queue);
    try {
      while (entries.hasNext() && !queue.failed()) {
        dispatch(entries.next(), queue);
      }
      queue.end(workers);
      queue.join(threads);
    } catch (IOException | RuntimeException | InterruptedException e) {
      queue.fail(e);
      queue.stop(threads);
    }
    if (queue.failed()) {
      throw queue.failureAsIoException();
    }
    dirs.finish();
    counters.notifyFinal();
    return counters.result(dirs.described());
  }

  private void dispatch(FileEntry e, WorkQueue<RestoreTask> queue)
      throws IOException, InterruptedException {
    String path = e.getPath().toStringUtf8();
    if (!e.getPath().isValidUtf8()) {
      throw new PermanentException(
          "the manifest names a file whose name is not UTF-8 ("
              + e.getPath().size()
              + " bytes); Klio restores UTF-8 names only");
    }
    Path target = layout.resolve(path);
    if (e.getKind() == FileKind.FILE_KIND_DIRECTORY) {
      dirs.entry(target, e.getMode(), e.getMtimeSeconds(), e.getMtimeNanos());
    } else if (e.getKind() == FileKind.FILE_KIND_FILE) {
      queue.put(new RestoreTask(e, path, target));
    } else {
      throw new PermanentException(
          "the manifest entry of "
              + path
              + " has kind "
              + e.getKindValue()
              + ", which this Klio does not know (written by a newer one?)");
    }
  }

  private List<Thread> startWorkers(WorkQueue<RestoreTask> queue) throws IOException {
    List<ChunkSource> opened = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        opened.add(Objects.requireNonNull(sources.open(i), "the source factory returned null"));
      }
    } catch (IOException | RuntimeException e) {
      for (ChunkSource s : opened) {
        try {
          s.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    List<RestoreWorker> w = new ArrayList<>();
    for (ChunkSource source : opened) {
      w.add(
          new RestoreWorker(
              queue, source, hasher, counters, dirs, readAheadBytes, readAheadChunks));
    }
    return WorkQueue.start(w, "klio-restore-writer");
  }

  /**
   * Writes {@code backup_label} (the bytes {@code pg_backup_stop} returned) into the restored data
   * directory, durably, and reports it. Call after {@link #run}.
   */
  public WrittenFile writeBackupLabel(byte[] label) throws IOException {
    return writeExtra("backup_label", label);
  }

  /**
   * Writes {@code tablespace_map} with the directory of each relocated tablespace replaced by its
   * new one (so that PostgreSQL links it there at startup), and reports it; writes nothing when the
   * map is empty (no tablespaces), as PostgreSQL's documentation says. Call after {@link #run}.
   */
  public Optional<WrittenFile> writeTablespaceMap(byte[] map) throws IOException {
    if (map.length == 0) {
      return Optional.empty();
    }
    byte[] remapped;
    try {
      remapped = TablespaceMaps.remap(map, layout.relocated());
    } catch (IllegalArgumentException e) {
      throw new PermanentException("the backup's " + e.getMessage(), e);
    }
    return Optional.of(writeExtra("tablespace_map", remapped));
  }

  private WrittenFile writeExtra(String name, byte[] content) throws IOException {
    if (!ran || !Files.isDirectory(layout.target())) {
      throw new IllegalStateException("write " + name + " after run()");
    }
    Path p = layout.target().resolve(name);
    try (FileChannel ch =
        FileChannel.open(
            p,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(Modes.permissions(0600)))) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    DurableFiles.fsyncDirectory(layout.target());
    CRC32C crc = new CRC32C();
    crc.update(content);
    Instant mtime = Files.getLastModifiedTime(p).toInstant();
    WrittenFile f = new WrittenFile(name, content.length, mtime, (int) crc.getValue());
    counters.extra(f);
    return f;
  }

  /** Builds a {@link RestoreWriter}; the target, hasher and sources are required. */
  public static final class Builder {
    private Path target;
    private List<Tablespace> tablespaces = List.of();
    private List<TablespaceMapping> mappings = List.of();
    private ChunkHasher hasher;
    private ChunkSourceFactory sources;
    private int workers = Runtime.getRuntime().availableProcessors();
    private long readAheadBytes = DEFAULT_READ_AHEAD_BYTES;
    private int readAheadChunks = DEFAULT_READ_AHEAD_CHUNKS;
    private RestoreListener listener = RestoreListener.NONE;
    private long bytesTotal;
    private long filesTotal;

    private Builder() {}

    /** The data directory to create (or an empty one). */
    public Builder target(Path dataDirectory) {
      this.target = dataDirectory;
      return this;
    }

    /** The backup's tablespaces and their original locations ({@code BackupSummary}). */
    public Builder tablespaces(List<Tablespace> tablespaces) {
      this.tablespaces = List.copyOf(tablespaces);
      return this;
    }

    /** Relocations of tablespaces, matched on their original location. */
    public Builder tablespaceMappings(List<TablespaceMapping> mappings) {
      this.mappings = List.copyOf(mappings);
      return this;
    }

    /** The backup's chunk ids' hasher, to check every chunk. */
    public Builder hasher(ChunkHasher hasher) {
      this.hasher = hasher;
      return this;
    }

    public Builder sources(ChunkSourceFactory sources) {
      this.sources = sources;
      return this;
    }

    /** Writer threads, each with its own source (default: the available processors). */
    public Builder workers(int workers) {
      this.workers = WorkQueue.checkWorkers(workers);
      return this;
    }

    /** How much each worker asks for ahead of what it writes (default 16 MiB or 512 chunks). */
    public Builder readAhead(long bytes, int chunks) {
      if (bytes < 1 || chunks < 1) {
        throw new IllegalArgumentException("the read-ahead must be positive");
      }
      this.readAheadBytes = bytes;
      this.readAheadChunks = chunks;
      return this;
    }

    public Builder listener(RestoreListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /** The totals progress reports against ({@code data_bytes}, {@code file_count}). */
    public Builder expectedTotals(long bytes, long files) {
      this.bytesTotal = bytes;
      this.filesTotal = files;
      return this;
    }

    /**
     * @throws PermanentException when a mapping matches no tablespace, or two tablespaces would go
     *     to one directory
     */
    public RestoreWriter build() throws PermanentException {
      Objects.requireNonNull(target, "target");
      return new RestoreWriter(this, RestoreLayout.of(target, tablespaces, mappings));
    }
  }
}
