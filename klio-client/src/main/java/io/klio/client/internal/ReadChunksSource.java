package io.klio.client.internal;

import com.google.protobuf.ByteString;
import io.klio.api.ClusterName;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.ChunkData;
import io.klio.api.grpc.v1.ReadChunksRequest;
import io.klio.backup.ChunkSource;
import io.klio.backup.StoredChunk;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A restore worker's {@link ChunkSource}: one {@code ReadChunks} call, a request per {@link
 * #request}, a {@code ChunkData} per id. The worker bounds what it asks for ahead; this side holds
 * at most {@link #WINDOW} answers it has not taken. Used by one thread.
 */
final class ReadChunksSource implements ChunkSource {

  /** Answers that may wait, received and not taken. */
  static final int WINDOW = 32;

  /** How long an answer may take (a chunk read from Tier 2 is slow, but not this slow). */
  private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(5);

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final BlockingStream<ReadChunksRequest, ChunkData> call;
  private final ClusterName cluster;
  private boolean closed;

  ReadChunksSource(BackupServiceGrpc.BackupServiceStub stub, ClusterName cluster, int worker) {
    this.cluster = cluster;
    this.call =
        BlockingStream.open(
            "the restore's ReadChunks call (worker " + worker + ")", stub::readChunks, WINDOW);
  }

  @Override
  public void request(List<ChunkId> ids) throws IOException {
    byte[] b = new byte[ids.size() * ChunkId.LENGTH];
    for (int i = 0; i < ids.size(); i++) {
      System.arraycopy(ids.get(i).toBytes(), 0, b, i * ChunkId.LENGTH, ChunkId.LENGTH);
    }
    call.send(
        ReadChunksRequest.newBuilder()
            .setCluster(cluster.value())
            .setIds(ByteString.copyFrom(b))
            .build());
  }

  @Override
  public StoredChunk next() throws IOException {
    ChunkData d = call.take(ANSWER_TIMEOUT);
    if (d == null) {
      throw new RetryableException(
          "the Klio server ended the ReadChunks call before answering every chunk asked for");
    }
    if (d.getId().size() != ChunkId.LENGTH) {
      throw new PermanentException(
          "the Klio server answered a chunk with an id of " + d.getId().size() + " bytes");
    }
    return new StoredChunk(
        ChunkId.of(d.getId().toByteArray()),
        d.getCodec(),
        d.getData().toByteArray(),
        d.getLength(),
        d.getLocation());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // after a whole restore every answer was taken and the server ends the call once this side
    // half-closes; after a failure answers are outstanding and the call is cancelled
    try {
      call.halfClose();
      if (call.take(CLOSE_TIMEOUT) == null) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      // failed already: cancel below
    }
    call.cancel("the restore worker stopped", null);
  }
}
