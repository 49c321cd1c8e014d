package io.klio.server.backup;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.grpc.v1.ChunkQueryAnswer;
import io.klio.api.grpc.v1.UploadChunk;
import io.klio.api.grpc.v1.UploadDone;
import io.klio.api.grpc.v1.UploadRequest;
import io.klio.api.grpc.v1.UploadResponse;
import java.util.List;
import java.util.concurrent.Executor;

/** One Upload call of a running backup: queries, chunks and entries, handled in order. */
final class UploadCall extends WorkerCall<UploadRequest, UploadResponse> {

  private final BackupServiceImpl service;
  private BackupSession session;
  private long chunks;
  private long files;

  UploadCall(BackupServiceImpl service, ServerCallStreamObserver<UploadResponse> out, Executor ex) {
    super(out, ex, true);
    this.service = service;
  }

  @Override
  protected void handle(UploadRequest m) throws Exception {
    if (m.getKindCase() == UploadRequest.KindCase.START) {
      if (session != null) {
        throw Status.INVALID_ARGUMENT.withDescription("a second 'start'").asRuntimeException();
      }
      var cluster = service.authorize(identity, m.getStart().getCluster());
      BackupSession s =
          service.sessions.find(
              cluster, m.getStart().getBackupId(), m.getStart().getUploadToken().toByteArray());
      s.uploadOpened();
      session = s;
      return;
    }
    if (session == null) {
      throw Status.INVALID_ARGUMENT
          .withDescription("the first Upload message must be 'start'")
          .asRuntimeException();
    }
    switch (m.getKindCase()) {
      case QUERY -> {
        List<Integer> missing = session.missing(m.getQuery().getIds().toByteArray());
        send(
            UploadResponse.newBuilder()
                .setAnswer(
                    ChunkQueryAnswer.newBuilder()
                        .setSequence(m.getQuery().getSequence())
                        .addAllMissing(missing))
                .build());
      }
      case CHUNK -> {
        UploadChunk c = m.getChunk();
        session.chunk(
            c.getId().toByteArray(), c.getCodec(), c.getData().toByteArray(), c.getLength());
        chunks++;
        service.metrics.chunkReceived(c.getData().size());
      }
      case FILE -> {
        session.entry(m.getFile());
        files++;
      }
      default ->
          throw Status.INVALID_ARGUMENT
              .withDescription("unknown Upload message " + m.getKindCase())
              .asRuntimeException();
    }
  }

  @Override
  protected void halfClosed() throws Exception {
    if (session != null) {
      session.uploadClosed();
      BackupSession s = session;
      session = null;
      if (s.isEnded()) {
        throw new io.klio.api.error.PermanentException(
            "backup " + s.backupId + " of cluster " + s.cluster + " ended during the upload");
      }
    }
    send(
        UploadResponse.newBuilder()
            .setDone(UploadDone.newBuilder().setChunksReceived(chunks).setFilesReceived(files))
            .build());
    complete();
  }

  @Override
  protected void cancelled() {
    if (session != null) {
      session.uploadClosed();
      session = null;
    }
  }
}
