package io.klio.backup;

import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.dedup.repo.ChunkId;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One regular file to restore: its entry, where it goes, how far its chunks were asked for and
 * written. Used by one worker.
 */
final class RestoreTask {

  final FileEntry entry;
  final String path;
  final Path target;
  final int chunks;
  private final byte[] ids;

  /** Chunks asked for and written so far. */
  int requested;

  int written;

  /** Bytes written so far (the offset of the next chunk). */
  long offset;

  FileChannel channel;

  RestoreTask(FileEntry entry, String path, Path target) throws PermanentException {
    this.entry = entry;
    this.path = path;
    this.target = target;
    this.chunks = entry.getChunkLengthsCount();
    this.ids = entry.getChunkIds().toByteArray();
    if (ids.length != chunks * ChunkId.LENGTH) {
      throw new PermanentException(
          "the manifest entry of "
              + path
              + " lists "
              + chunks
              + " chunk lengths but "
              + ids.length
              + " bytes of chunk ids; the manifest is damaged: restore another backup");
    }
    long sum = 0;
    for (int i = 0; i < chunks; i++) {
      sum += Integer.toUnsignedLong(entry.getChunkLengths(i));
    }
    if (sum != entry.getSize()) {
      throw new PermanentException(
          "the manifest entry of "
              + path
              + " says "
              + entry.getSize()
              + " bytes but its chunks hold "
              + sum
              + "; the manifest is damaged: restore another backup");
    }
  }

  ChunkId id(int chunk) {
    return ChunkId.read(ids, chunk * ChunkId.LENGTH);
  }

  int length(int chunk) {
    return entry.getChunkLengths(chunk);
  }

  boolean allRequested() {
    return requested == chunks;
  }

  boolean allWritten() {
    return written == chunks;
  }
}
