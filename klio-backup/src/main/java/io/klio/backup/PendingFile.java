package io.klio.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.dedup.repo.ChunkId;
import java.util.Arrays;

/**
 * A regular file being backed up by one worker: the chunks read so far, until every one of them is
 * resolved (put or known) and the entry can be recorded. Not thread-safe.
 */
final class PendingFile {

  private final DataFile file;
  private final FileEntry.Builder entry;
  private byte[] ids = new byte[4 * ChunkId.LENGTH];
  private int chunkCount;
  private long size;

  /** Whether some of its chunks are in the worker's unresolved batch. */
  boolean inBatch;

  private boolean readDone;
  private int crc32c;

  PendingFile(DataFile file, int mode, long mtimeSeconds, int mtimeNanos) {
    this.file = file;
    this.entry =
        FileEntry.newBuilder()
            .setPath(ByteString.copyFromUtf8(file.path()))
            .setKind(FileKind.FILE_KIND_FILE)
            .setMode(mode)
            .setMtimeSeconds(mtimeSeconds)
            .setMtimeNanos(mtimeNanos);
  }

  DataFile file() {
    return file;
  }

  void addChunk(byte[] id, int length) {
    if ((chunkCount + 1) * ChunkId.LENGTH > ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    System.arraycopy(id, 0, ids, chunkCount * ChunkId.LENGTH, ChunkId.LENGTH);
    chunkCount++;
    entry.addChunkLengths(length);
  }

  void addBytes(int n) {
    size += n;
  }

  long size() {
    return size;
  }

  int chunkCount() {
    return chunkCount;
  }

  /** The whole file was read; {@code crc32c} is that of the bytes read. */
  void readDone(int crc32c) {
    this.readDone = true;
    this.crc32c = crc32c;
  }

  boolean isReadDone() {
    return readDone;
  }

  /** The file's entry: what was read, its CRC-32C and chunks. */
  FileEntry finish() {
    return entry
        .setSize(size)
        .setCrc32C(crc32c)
        .setChunkIds(UnsafeByteOperations.unsafeWrap(ids, 0, chunkCount * ChunkId.LENGTH))
        .build();
  }
}
