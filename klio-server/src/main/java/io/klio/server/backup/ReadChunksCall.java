package io.klio.server.backup;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.grpc.v1.ChunkData;
import io.klio.api.grpc.v1.ReadChunksRequest;
import io.klio.dedup.repo.ChunkId;
import io.klio.dedup.repo.ChunkRepository;
import java.util.concurrent.Executor;

/**
 * Serves chunks by id for a restore, each as stored (opened, not decoded: the client decodes and
 * checks it against its id), in the order asked.
 */
final class ReadChunksCall extends WorkerCall<ReadChunksRequest, ChunkData> {

  private final BackupServiceImpl service;

  ReadChunksCall(BackupServiceImpl service, ServerCallStreamObserver<ChunkData> out, Executor ex) {
    super(out, ex, true);
    this.service = service;
  }

  @Override
  protected void handle(ReadChunksRequest r) throws Exception {
    service.authorize(identity, r.getCluster());
    byte[] ids = r.getIds().toByteArray();
    if (ids.length % ChunkId.LENGTH != 0) {
      throw new IllegalArgumentException(
          "chunk ids are 32 bytes each; " + ids.length + " bytes is not a multiple");
    }
    for (int i = 0; i < ids.length; i += ChunkId.LENGTH) {
      ChunkId id = ChunkId.read(ids, i);
      ChunkRepository.StoredChunk c = service.repo.readStored(id);
      send(
          ChunkData.newBuilder()
              .setId(ByteString.copyFrom(ids, i, ChunkId.LENGTH))
              .setCodec(c.codec())
              .setData(ByteString.copyFrom(c.encoded()))
              .setLength(c.length())
              .setLocation(c.location())
              .build());
      service.metrics.chunkServed(c.encoded().length);
    }
  }

  @Override
  protected void halfClosed() {
    complete();
  }
}
