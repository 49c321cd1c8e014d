package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.DeleteBackupRequest;
import io.klio.api.grpc.v1.GetBackupRequest;
import io.klio.api.grpc.v1.ListBackupsRequest;
import io.klio.api.grpc.v1.VerifyBackupRequest;
import io.klio.api.grpc.v1.VerifyFinding;
import io.klio.api.grpc.v1.VerifyProgress;
import io.klio.client.BackupClient;
import io.klio.client.BackupListener;
import io.klio.client.BackupOptions;
import io.klio.client.BackupOutcome;
import io.klio.client.KlioClientOptions;
import io.klio.client.VerifyOutcome;
import io.klio.client.wire.StatusMapping;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The {@link BackupClient} over {@code BackupService}. */
final class GrpcBackupClient implements BackupClient {

  private final ManagedChannel channel;
  private final KlioClientOptions options;
  private final BackupServiceGrpc.BackupServiceBlockingStub stub;

  GrpcBackupClient(ManagedChannel channel, KlioClientOptions options) {
    this.channel = channel;
    this.options = options;
    this.stub = BackupServiceGrpc.newBlockingStub(channel);
  }

  private BackupServiceGrpc.BackupServiceBlockingStub unary() {
    return stub.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private String cluster() {
    return options.cluster().value();
  }

  @Override
  public BackupOutcome backup(BackupOptions backup, BackupListener listener)
      throws IOException, InterruptedException {
    return new BackupRun(channel, options, backup, listener).run();
  }

  @Override
  public List<BackupSummary> list() throws IOException {
    return StatusMapping.call(
        () ->
            unary()
                .list(ListBackupsRequest.newBuilder().setCluster(cluster()).build())
                .getBackupsList());
  }

  @Override
  public BackupSummary get(String id) throws IOException {
    return StatusMapping.call(
        () ->
            unary()
                .get(GetBackupRequest.newBuilder().setCluster(cluster()).setBackupId(id).build()));
  }

  @Override
  public BackupSummary delete(String id, boolean force) throws IOException {
    return StatusMapping.call(
        () ->
            unary()
                .delete(
                    DeleteBackupRequest.newBuilder()
                        .setCluster(cluster())
                        .setBackupId(id)
                        .setForce(force)
                        .build())
                .getDeleted());
  }

  @Override
  public VerifyOutcome verify(String id, Consumer<VerifyProgress> progress) throws IOException {
    List<VerifyFinding> findings = new ArrayList<>();
    long count = 0;
    VerifyProgress last = null;
    try {
      // no deadline: a large backup takes long; the server reports about once a second
      Iterator<VerifyProgress> it =
          stub.verify(
              VerifyBackupRequest.newBuilder().setCluster(cluster()).setBackupId(id).build());
      while (it.hasNext()) {
        VerifyProgress p = it.next();
        for (VerifyFinding f : p.getFindingsList()) {
          if (findings.size() < VerifyOutcome.MAX_FINDINGS) {
            findings.add(f);
          }
          count++;
        }
        progress.accept(p);
        last = p;
      }
    } catch (StatusRuntimeException e) {
      throw StatusMapping.toException(e);
    }
    if (last == null || !last.getDone()) {
      throw new io.klio.api.error.RetryableException(
          "the Klio server ended the verification of backup " + id + " before it was done");
    }
    return new VerifyOutcome(
        last.getFilesChecked(),
        last.getBytesChecked(),
        last.getFilesTotal(),
        last.getBytesTotal(),
        findings,
        count);
  }
}
