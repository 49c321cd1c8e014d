package io.klio.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.ChunkQuery;
import io.klio.api.grpc.v1.ChunkQueryAnswer;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.UploadChunk;
import io.klio.api.grpc.v1.UploadDone;
import io.klio.api.grpc.v1.UploadRequest;
import io.klio.api.grpc.v1.UploadResponse;
import io.klio.api.grpc.v1.UploadStart;
import io.klio.backup.ChunkSink;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One backup worker's {@link ChunkSink} over one {@code BackupService.Upload} call: a {@code
 * ChunkQuery} per {@link #missing} (answered before it returns), an {@code UploadChunk} per {@link
 * #put}, a {@code FileEntry} per {@link #file}. Sends wait while the transport is full, so a worker
 * holds at most its batch in memory. Not thread-safe: its worker drives it.
 */
final class UploadSink implements ChunkSink {

  /** How long an answer may take: the server may be storing a pack, on a slow disk. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(10);

  private final BlockingStream<UploadRequest, UploadResponse> call;
  private final int maxMessageBytes;
  private long sequence;
  private long chunks;
  private long files;

  private UploadSink(BlockingStream<UploadRequest, UploadResponse> call, int maxMessageBytes) {
    this.call = call;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Opens an Upload call for backup {@code backupId} and sends its {@code start}. */
  static UploadSink open(
      ManagedChannel channel,
      String cluster,
      String backupId,
      ByteString token,
      int maxMessageBytes,
      int worker)
      throws IOException {
    BackupServiceGrpc.BackupServiceStub stub = BackupServiceGrpc.newStub(channel);
    BlockingStream<UploadRequest, UploadResponse> call =
        BlockingStream.open("upload " + worker + " of backup " + backupId, stub::upload, 4);
    UploadSink s = new UploadSink(call, maxMessageBytes);
    try {
      call.send(
          UploadRequest.newBuilder()
              .setStart(
                  UploadStart.newBuilder()
                      .setCluster(cluster)
                      .setBackupId(backupId)
                      .setUploadToken(token))
              .build());
    } catch (IOException | RuntimeException e) {
      call.cancel("could not start the upload", e);
      throw e;
    }
    return s;
  }

  @Override
  public int[] missing(List<ChunkId> ids) throws IOException {
    byte[] all = new byte[ids.size() * ChunkId.LENGTH];
    for (int i = 0; i < ids.size(); i++) {
      System.arraycopy(ids.get(i).toBytes(), 0, all, i * ChunkId.LENGTH, ChunkId.LENGTH);
    }
    long seq = ++sequence;
    call.send(
        UploadRequest.newBuilder()
            .setQuery(ChunkQuery.newBuilder().setSequence(seq).setIds(ByteString.copyFrom(all)))
            .build());
    UploadResponse r = call.take(ANSWER_TIMEOUT);
    if (r == null || !r.hasAnswer()) {
      throw new RetryableException(
          "the Klio server ended the upload instead of answering a chunk query");
    }
    ChunkQueryAnswer a = r.getAnswer();
    if (a.getSequence() != seq) {
      throw new PermanentException(
          "the Klio server answered chunk query " + a.getSequence() + " where " + seq + " was due");
    }
    int[] out = new int[a.getMissingCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getMissing(i);
    }
    return out;
  }

  @Override
  public void put(ChunkId id, int codec, byte[] encoded, int originalLength) throws IOException {
    UploadRequest m =
        UploadRequest.newBuilder()
            .setChunk(
                UploadChunk.newBuilder()
                    .setId(ByteString.copyFrom(id.toBytes()))
                    .setCodec(codec)
                    .setData(UnsafeByteOperations.unsafeWrap(encoded)) // handed over
                    .setLength(originalLength))
            .build();
    if (m.getSerializedSize() > maxMessageBytes) {
      throw new PermanentException(
          "chunk "
              + id
              + " is "
              + encoded.length
              + " bytes encoded; the Klio server accepts messages of at most "
              + maxMessageBytes
              + " bytes");
    }
    call.send(m);
    chunks++;
  }

  @Override
  public void file(FileEntry entry) throws IOException {
    call.send(UploadRequest.newBuilder().setFile(entry).build());
    files++;
  }

  @Override
  public void close() throws IOException {
    call.halfClose();
    UploadResponse r = call.take(ANSWER_TIMEOUT);
    if (r == null || !r.hasDone()) {
      throw new RetryableException("the Klio server ended an upload without confirming it");
    }
    UploadDone d = r.getDone();
    if (d.getChunksReceived() != chunks || d.getFilesReceived() != files) {
      throw new PermanentException(
          "the Klio server confirmed "
              + d.getChunksReceived()
              + " chunks and "
              + d.getFilesReceived()
              + " entries of an upload that sent "
              + chunks
              + " and "
              + files);
    }
    if (call.take(ANSWER_TIMEOUT) != null) {
      throw new PermanentException("the Klio server sent more after confirming an upload");
    }
  }

  @Override
  public void abort(Throwable cause) {
    call.cancel("the backup failed", cause);
  }
}
