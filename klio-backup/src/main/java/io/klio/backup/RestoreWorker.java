package io.klio.backup;

import io.klio.api.ChunkHasher;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codecs;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * One restore worker: takes files from the queue, asks its source for their chunks ahead (up to the
 * read-ahead window, across files), and writes each file in order as the chunks come, checking
 * every chunk's id and the whole file's length and CRC-32C against the manifest. On any failure
 * (its own or another worker's) it removes the file it was writing and stops.
 */
final class RestoreWorker implements Runnable {

  /** The most files a worker holds taken and not yet written. */
  private static final int MAX_TASKS = 1024;

  private final WorkQueue<RestoreTask> queue;
  private final ChunkSource source;
  private final ChunkHasher hasher;
  private final RestoreCounters counters;
  private final RestoreDirectories dirs;
  private final long readAheadBytes;
  private final int readAheadChunks;

  /** Taken, not yet written, in order. */
  private final ArrayDeque<RestoreTask> taken = new ArrayDeque<>();

  /** Taken, not yet fully asked for, in order. */
  private final ArrayDeque<RestoreTask> toRequest = new ArrayDeque<>();

  private final CRC32C crc = new CRC32C();
  private long inFlightBytes;
  private int inFlightChunks;
  private boolean inputDone;

  RestoreWorker(
      WorkQueue<RestoreTask> queue,
      ChunkSource source,
      ChunkHasher hasher,
      RestoreCounters counters,
      RestoreDirectories dirs,
      long readAheadBytes,
      int readAheadChunks) {
    this.queue = queue;
    this.source = source;
    this.hasher = hasher;
    this.counters = counters;
    this.dirs = dirs;
    this.readAheadBytes = readAheadBytes;
    this.readAheadChunks = readAheadChunks;
  }

  @Override
  public void run() {
    try (source) {
      while (!queue.failed()) {
        if (inFlightBytes <= readAheadBytes / 2 && inFlightChunks <= readAheadChunks / 2) {
          requestAhead();
        }
        RestoreTask head = taken.peekFirst();
        if (head == null) {
          if (inputDone) {
            break;
          }
          continue;
        }
        if (head.allWritten()) {
          finish(head);
          taken.pollFirst();
          queue.done();
        } else {
          write(head, next(head));
        }
      }
    } catch (Throwable t) {
      queue.fail(t);
    } finally {
      if (queue.failed()) {
        removePartial();
      }
    }
  }

  /** Takes files and asks for their chunks until the read-ahead window is full. */
  private void requestAhead() throws IOException, InterruptedException {
    List<ChunkId> ids = new ArrayList<>();
    while (inFlightBytes < readAheadBytes && inFlightChunks < readAheadChunks) {
      RestoreTask t = toRequest.peekFirst();
      if (t == null) {
        if (inputDone || taken.size() >= MAX_TASKS) {
          break;
        }
        // wait for work only when there is nothing else to do
        Optional<RestoreTask> next = taken.isEmpty() && ids.isEmpty() ? queue.take() : queue.poll();
        if (next == null) {
          break;
        }
        if (next.isEmpty()) {
          inputDone = true;
          break;
        }
        taken.addLast(next.get());
        if (!next.get().allRequested()) {
          toRequest.addLast(next.get());
        }
        continue;
      }
      ids.add(t.id(t.requested));
      inFlightBytes += Integer.toUnsignedLong(t.length(t.requested));
      inFlightChunks++;
      t.requested++;
      if (t.allRequested()) {
        toRequest.pollFirst();
      }
    }
    if (!ids.isEmpty()) {
      source.request(ids);
    }
  }

  /**
   * The source's next answer; a chunk the repository does not hold or cannot open is reported with
   * the file and offset it belongs to (the source's message names the chunk and where it is).
   */
  private StoredChunk next(RestoreTask t) throws IOException {
    try {
      return source.next();
    } catch (NotFoundException e) {
      throw new NotFoundException(
          "restoring "
              + t.path
              + ": the chunk at offset "
              + t.offset
              + " is missing: "
              + e.getMessage()
              + "; nothing more is written. Restore another backup",
          e);
    } catch (PermanentException e) {
      throw new PermanentException(
          "restoring "
              + t.path
              + ": the chunk at offset "
              + t.offset
              + " cannot be read: "
              + e.getMessage()
              + "; nothing more is written. Run klio backup verify to see what"
              + " else is damaged, and restore another backup",
          e);
    }
  }

  private void write(RestoreTask t, StoredChunk c) throws IOException {
    int i = t.written;
    ChunkId expected = t.id(i);
    int length = t.length(i);
    if (!c.id().equals(expected)) {
      throw new PermanentException(
          "the chunk source answered chunk "
              + c.id()
              + " when chunk "
              + expected
              + " of "
              + t.path
              + " was next; answers must come in the order asked");
    }
    byte[] plain = decode(t, c, length);
    if (!Arrays.equals(hasher.hash(plain, 0, length), expected.toBytes())) {
      throw corrupted(t, c, "its bytes do not hash to its id");
    }
    if (t.channel == null) {
      t.channel = create(t);
      crc.reset();
    }
    ByteBuffer b = ByteBuffer.wrap(plain, 0, length);
    while (b.hasRemaining()) {
      t.channel.write(b);
    }
    crc.update(plain, 0, length);
    t.offset += length;
    t.written++;
    inFlightBytes -= Integer.toUnsignedLong(length);
    inFlightChunks--;
    counters.chunkWritten(length);
  }

  private byte[] decode(RestoreTask t, StoredChunk c, int length) throws PermanentException {
    if (c.length() != length) {
      throw corrupted(
          t, c, "the repository says it holds " + c.length() + " bytes, the manifest " + length);
    }
    if (c.codec() == 0) {
      if (c.data().length != length) {
        throw corrupted(t, c, "it is stored raw in " + c.data().length + " bytes, not " + length);
      }
      return c.data();
    }
    try {
      return Codecs.byId(c.codec()).decode(c.data(), length);
    } catch (PermanentException e) {
      throw corrupted(t, c, e.getMessage());
    }
  }

  private PermanentException corrupted(RestoreTask t, StoredChunk c, String why) {
    return new PermanentException(
        "restoring "
            + t.path
            + ": the chunk at offset "
            + t.offset
            + ", "
            + c.id()
            + " stored at "
            + c.location()
            + ", is corrupted ("
            + why
            + "); nothing more is written. Run klio backup verify to see what else is damaged,"
            + " and restore another backup");
  }

  private FileChannel create(RestoreTask t) throws IOException {
    try {
      return FileChannel.open(t.target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      dirs.ensure(t.target.getParent());
      return FileChannel.open(t.target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  /** Checks the whole file, sets its mode and time, syncs it and reports it. */
  private void finish(RestoreTask t) throws IOException {
    if (t.channel == null) {
      t.channel = create(t); // an empty file
      crc.reset();
    }
    int got = (int) crc.getValue();
    if (t.offset != t.entry.getSize() || got != t.entry.getCrc32C()) {
      throw new PermanentException(
          String.format(
              "restoring %s: wrote %d bytes with CRC-32C %08x, the manifest says %d bytes with"
                  + " %08x; the backup is damaged: restore another backup",
              t.path, t.offset, got, t.entry.getSize(), t.entry.getCrc32C()));
    }
    Instant mtime = Instant.ofEpochSecond(t.entry.getMtimeSeconds(), t.entry.getMtimeNanos());
    Files.setPosixFilePermissions(t.target, Modes.permissions(t.entry.getMode()));
    Files.setLastModifiedTime(t.target, FileTime.from(mtime));
    t.channel.force(true);
    t.channel.close();
    t.channel = null;
    counters.written(new WrittenFile(t.path, t.offset, mtime, got));
  }

  /** Removes the file this worker was writing when the restore failed. */
  private void removePartial() {
    RestoreTask head = taken.peekFirst();
    if (head != null && head.channel != null) {
      try {
        head.channel.close();
        Files.deleteIfExists(head.target);
      } catch (IOException e) {
        // the restore failed already; the directory is not usable either way
      }
    }
  }
}
