package io.klio.client.internal;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.AbortBackup;
import io.klio.api.grpc.v1.BackupBegun;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.BackupStarted;
import io.klio.api.grpc.v1.BeginBackup;
import io.klio.api.grpc.v1.FinishBackup;
import io.klio.api.grpc.v1.RunRequest;
import io.klio.api.grpc.v1.RunResponse;
import io.klio.api.grpc.v1.WaitingForWal;
import io.klio.backup.BackupLabel;
import io.klio.backup.BackupResult;
import io.klio.backup.FileBackup;
import io.klio.backup.PgDataWalker;
import io.klio.client.BackupListener;
import io.klio.client.BackupOptions;
import io.klio.client.BackupOutcome;
import io.klio.client.KlioClientOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup, from connecting to PostgreSQL to the server's commit ({@link
 * io.klio.client.BackupClient#backup} says the steps). Runs on the caller's thread.
 */
final class BackupRun {

  private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);

  /** How long the server may stay silent after {@code finish}: it reports every 5 s meanwhile. */
  private static final Duration FINISH_SILENCE = Duration.ofMinutes(10);

  private final ManagedChannel channel;
  private final KlioClientOptions client;
  private final BackupOptions options;
  private final BackupListener listener;

  BackupRun(
      ManagedChannel channel,
      KlioClientOptions client,
      BackupOptions options,
      BackupListener listener) {
    this.channel = channel;
    this.client = client;
    this.options = options;
    this.listener = listener;
  }

  BackupOutcome run() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    PgDataWalker walker = PgDataWalker.open(options.pgdata());
    try (PostgresBackupSession pg = PostgresBackupSession.connect(options.connection())) {
      PostgresBackupSession.Identity id = pg.identity();
      PostgresBackupSession.checkDataDirectory(options.pgdata(), id.systemId());
      BlockingStream<RunRequest, RunResponse> run =
          BlockingStream.open("the backup's Run call", BackupServiceGrpc.newStub(channel)::run, 4);
      try {
        return backup(pg, id, walker, run, t0);
      } catch (IOException | RuntimeException | InterruptedException | Error e) {
        abort(run, e);
        throw e;
      }
    }
  }

  private BackupOutcome backup(
      PostgresBackupSession pg,
      PostgresBackupSession.Identity id,
      PgDataWalker walker,
      BlockingStream<RunRequest, RunResponse> run,
      long t0)
      throws IOException, InterruptedException {
    run.send(
        RunRequest.newBuilder()
            .setBegin(
                BeginBackup.newBuilder()
                    .setCluster(client.cluster().value())
                    .setSystemIdentifier(id.systemId())
                    .setWalSegmentSize(id.walSegmentSize())
                    .setServerVersionNum(id.serverVersionNum())
                    .setLabel(options.label())
                    .setFromStandby(id.inRecovery())
                    .setClientVersion(version())
                    .setClientHost(host()))
            .build());
    RunResponse first = run.take(client.callTimeout());
    if (first == null || !first.hasBegun()) {
      throw new PermanentException("the Klio server did not answer 'begin' with 'begun'");
    }
    BackupBegun b = first.getBegun();
    String backupId = b.getBackupId();
    FileBackup files =
        FileBackup.builder()
            .repository(
                b.getChunker(),
                b.getChunkIdAlgorithm(),
                b.getChunkIdKey().toByteArray(),
                b.getCodec())
            .workers(options.jobs())
            .listener(listener::progress)
            .sinks(
                w ->
                    UploadSink.open(
                        channel,
                        client.cluster().value(),
                        backupId,
                        b.getUploadToken(),
                        b.getMaxMessageBytes() == 0 ? 16 << 20 : b.getMaxMessageBytes(),
                        w))
            .build();

    Lsn startLsn = pg.start(options.label(), options.fast());
    long startMs = System.currentTimeMillis();
    TimelineId startTli = pg.checkpointTimeline();
    run.send(
        RunRequest.newBuilder()
            .setStarted(
                BackupStarted.newBuilder()
                    .setStartLsn(startLsn.value())
                    .setStartTimeline((int) startTli.value()))
            .build());
    listener.started(backupId, startLsn, startTli, id.inRecovery());
    LOG.info(
        "backup {} started at {} on timeline {}{}",
        backupId,
        startLsn,
        startTli,
        id.inRecovery() ? " (on a standby)" : "");

    BackupResult read = files.run(walker);

    PostgresBackupSession.Stopped stopped = pg.stop();
    long stopMs = System.currentTimeMillis();
    BackupLabel label = BackupLabel.parse(stopped.labelFile());
    TimelineId endTli = pg.endTimeline(id.inRecovery());
    var tablespaces = pg.tablespaces();
    listener.stopped(stopped.lsn(), endTli);
    FinishBackup.Builder f =
        FinishBackup.newBuilder()
            .setEndLsn(stopped.lsn().value())
            .setEndTimeline((int) endTli.value())
            .setBackupLabel(ByteString.copyFrom(stopped.labelFile()))
            .setTablespaceMap(ByteString.copyFrom(stopped.tablespaceMap()))
            .addAllTablespaces(tablespaces)
            .setStartTimeMs(startMs)
            .setStopTimeMs(stopMs)
            .setFileCount(read.files())
            .setDataBytes(read.dataBytes())
            .setStartLsn(label.startLsn().value())
            .setCheckpointLsn(label.checkpointLsn().value())
            .setStartTimeline((int) label.startTimeline().value());
    options.walTimeout().ifPresent(d -> f.setWalTimeoutSeconds((int) d.toSeconds()));
    run.send(RunRequest.newBuilder().setFinish(f).build());
    LOG.info(
        "backup {}: {} files ({} bytes) read, WAL from {} to {}; waiting for the server to commit",
        backupId,
        read.files(),
        read.dataBytes(),
        label.startLsn(),
        stopped.lsn());

    boolean switched = false;
    while (true) {
      RunResponse r = run.take(FINISH_SILENCE);
      if (r == null) {
        throw new RetryableException(
            "the Klio server ended backup " + backupId + " without committing it");
      }
      if (r.hasWaitingForWal()) {
        WaitingForWal w = r.getWaitingForWal();
        listener.waitingForWal(
            w.getMissingSegment(),
            w.getDurableLsn() == 0 ? Optional.empty() : Optional.of(Lsn.of(w.getDurableLsn())));
        if (!id.inRecovery() && !switched) {
          // pg_backup_stop switched segments already; one more switch costs nothing on an idle
          // primary and makes sure the end segment is complete and streamed
          LOG.info(
              "backup {}: the server waits for {}; switching WAL", backupId, w.getMissingSegment());
          pg.switchWal();
          switched = true;
        }
      } else if (r.hasCommitted()) {
        return new BackupOutcome(
            r.getCommitted().getSummary(),
            read.sentBytes(),
            read.vanished(),
            Duration.ofNanos(System.nanoTime() - t0));
      }
    }
  }

  /** Tells the server why the backup failed (when the call still works), then ends the call. */
  private static void abort(BlockingStream<RunRequest, RunResponse> run, Throwable e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    try {
      run.send(
          RunRequest.newBuilder()
              .setAbort(
                  AbortBackup.newBuilder()
                      .setReason(reason.length() > 4000 ? reason.substring(0, 4000) : reason))
              .build());
      run.halfClose();
      // let the server log the reason before the call is cancelled
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (run.take(Duration.ofSeconds(5)) != null && System.nanoTime() < deadline) {
        // drain what the server sent before it saw the abort
      }
    } catch (IOException | RuntimeException ignored) {
      // the call failed already: the server has discarded the backup
    }
    run.cancel("the backup failed: " + reason, e);
  }

  private static String version() {
    return Optional.ofNullable(BackupRun.class.getPackage().getImplementationVersion())
        .orElse("dev");
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "";
    }
  }
}
