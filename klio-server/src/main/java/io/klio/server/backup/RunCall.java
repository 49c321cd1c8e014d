package io.klio.server.backup;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.WalFileName;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupCommitted;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.BeginBackup;
import io.klio.api.grpc.v1.FinishBackup;
import io.klio.api.grpc.v1.RunRequest;
import io.klio.api.grpc.v1.RunResponse;
import io.klio.api.grpc.v1.WaitingForWal;
import io.klio.server.wal.Archives;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Run call of one backup: begin, started, then finish (wait for the WAL, make the chunks
 * durable, store the manifest) or abort. A call that ends any other way aborts the backup.
 */
final class RunCall extends WorkerCall<RunRequest, RunResponse> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCall.class);
  private static final Duration MAX_WAL_TIMEOUT = Duration.ofHours(24);

  private final BackupServiceImpl service;
  private BackupSession session;

  RunCall(BackupServiceImpl service, ServerCallStreamObserver<RunResponse> out, Executor ex) {
    super(out, ex, true);
    this.service = service;
  }

  @Override
  protected void handle(RunRequest m) throws Exception {
    switch (m.getKindCase()) {
      case BEGIN -> begin(m.getBegin());
      case STARTED -> {
        BackupSession s = running("started");
        s.started(m.getStarted());
        Lsn start = Lsn.of(m.getStarted().getStartLsn());
        WalCoverage.Result r =
            WalCoverage.check(
                service.archives.holdings(s.cluster),
                TimelineId.of(m.getStarted().getStartTimeline()),
                start,
                TimelineId.of(m.getStarted().getStartTimeline()),
                start);
        if (r instanceof WalCoverage.Never n) {
          throw new PermanentException(
              "backup "
                  + s.backupId
                  + " of cluster "
                  + s.cluster
                  + " cannot be restored: "
                  + n.reason());
        }
      }
      case FINISH -> finish(m.getFinish());
      case ABORT -> {
        running("abort").abort("by the client: " + m.getAbort().getReason());
        complete();
      }
      default ->
          throw Status.INVALID_ARGUMENT
              .withDescription("unknown Run message " + m.getKindCase())
              .asRuntimeException();
    }
  }

  private BackupSession running(String what) {
    if (session == null) {
      throw Status.INVALID_ARGUMENT
          .withDescription("'" + what + "' before 'begin': the first Run message must be 'begin'")
          .asRuntimeException();
    }
    return session;
  }

  private void begin(BeginBackup b) throws Exception {
    if (session != null) {
      throw Status.INVALID_ARGUMENT.withDescription("a second 'begin'").asRuntimeException();
    }
    ClusterName cluster = service.authorize(identity, b.getCluster());
    Archives.Registered reg =
        service
            .archives
            .registered(cluster)
            .orElseThrow(
                () ->
                    new PermanentException(
                        "no WAL has been archived for cluster "
                            + cluster
                            + " yet: start send-wal for it first (a backup can only be restored"
                            + " with the WAL it needs)"));
    if (reg.systemId().value() != b.getSystemIdentifier()) {
      throw new PermanentException(
          "cluster "
              + cluster
              + " is archived for database system "
              + reg.systemId()
              + ", but this PostgreSQL is system "
              + Long.toUnsignedString(b.getSystemIdentifier())
              + ": a different database under the same cluster name; nothing was backed up");
    }
    if (reg.segmentSize().bytes() != b.getWalSegmentSize()) {
      throw new PermanentException(
          "cluster "
              + cluster
              + " is archived with WAL segments of "
              + reg.segmentSize()
              + ", but this PostgreSQL uses "
              + b.getWalSegmentSize()
              + " bytes");
    }
    session = service.sessions.begin(cluster, b);
    LOG.info(
        "backup {} of cluster {} begun (label '{}', from {}{})",
        session.backupId,
        cluster,
        b.getLabel(),
        b.getClientHost().isEmpty() ? "an unnamed host" : b.getClientHost(),
        b.getFromStandby() ? ", a standby" : "");
    send(RunResponse.newBuilder().setBegun(service.begun(session)).build());
  }

  private void finish(FinishBackup f) throws Exception {
    BackupSession s = running("finish");
    if (s.openUploads() > 0) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              s.openUploads()
                  + " Upload calls of backup "
                  + s.backupId
                  + " are still open; finish them before 'finish'")
          .asRuntimeException();
    }
    BackupSession.Counts c = s.counts();
    if (c.files() != f.getFileCount() || c.dataBytes() != f.getDataBytes()) {
      throw new PermanentException(
          "backup "
              + s.backupId
              + ": the client read "
              + f.getFileCount()
              + " files of "
              + f.getDataBytes()
              + " bytes, the server received "
              + c.files()
              + " files of "
              + c.dataBytes()
              + " bytes; not committed");
    }
    if (f.getStartLsn() == 0 && s.started().isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("'finish' without a start LSN, and no 'started' before it")
          .asRuntimeException();
    }
    TimelineId startTli =
        TimelineId.of(
            f.getStartTimeline() != 0
                ? f.getStartTimeline()
                : s.started().get().getStartTimeline());
    Lsn start = Lsn.of(f.getStartLsn() != 0 ? f.getStartLsn() : s.started().get().getStartLsn());
    TimelineId endTli = TimelineId.of(f.getEndTimeline());
    Lsn end = Lsn.of(f.getEndLsn());
    awaitWal(s, startTli, start, endTli, end, f.getWalTimeoutSeconds());
    java.nio.file.Path entries = s.seal();
    c = s.counts();
    var size = service.archives.registered(s.cluster).orElseThrow().segmentSize();
    BackupSummary summary =
        BackupSummary.newBuilder()
            .setCluster(s.cluster.value())
            .setBackupId(s.backupId)
            .setLabel(s.begin.getLabel())
            .setSystemIdentifier(s.begin.getSystemIdentifier())
            .setServerVersionNum(s.begin.getServerVersionNum())
            .setWalSegmentSize(s.begin.getWalSegmentSize())
            .setFromStandby(s.begin.getFromStandby())
            .setStartTimeline((int) startTli.value())
            .setEndTimeline((int) endTli.value())
            .setStartLsn(start.value())
            .setEndLsn(end.value())
            .setCheckpointLsn(f.getCheckpointLsn())
            .setBeginWal(WalFileName.Segment.containing(startTli, start, size).toString())
            .setEndWal(WalFileName.Segment.containing(endTli, end, size).toString())
            .setStartTimeMs(f.getStartTimeMs())
            .setStopTimeMs(f.getStopTimeMs())
            .setBackupLabel(f.getBackupLabel())
            .setTablespaceMap(f.getTablespaceMap())
            .addAllTablespaces(f.getTablespacesList())
            .setChunker(service.repo.config().chunker())
            .setChunkIdAlgorithm(service.repo.config().chunkId())
            .setFileCount(c.files())
            .setDirectoryCount(c.directories())
            .setDataBytes(c.dataBytes())
            .setChunkCount(c.chunkRefs())
            .setNewChunks(c.writer().newChunks())
            .setNewBytes(c.writer().newBytes())
            .setStoredBytes(c.writer().storedBytes())
            .setClientVersion(s.begin.getClientVersion())
            .setClientHost(s.begin.getClientHost())
            .setCommittedTimeMs(System.currentTimeMillis())
            .build();
    service.catalog.commit(summary, entries, s.entryCount());
    s.committed(c.files() + " files, " + c.dataBytes() + " bytes");
    service.repo.refresh();
    service.committed(summary);
    send(
        RunResponse.newBuilder()
            .setCommitted(BackupCommitted.newBuilder().setSummary(summary))
            .build());
    complete();
  }

  private void awaitWal(
      BackupSession s, TimelineId startTli, Lsn start, TimelineId endTli, Lsn end, int seconds)
      throws Exception {
    Duration timeout = seconds > 0 ? Duration.ofSeconds(seconds) : service.walTimeout;
    if (timeout.compareTo(MAX_WAL_TIMEOUT) > 0) {
      timeout = MAX_WAL_TIMEOUT;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String reported = null;
    long lastReport = 0;
    while (true) {
      WalCoverage.Result r =
          WalCoverage.check(service.archives.holdings(s.cluster), startTli, start, endTli, end);
      if (r instanceof WalCoverage.Held) {
        return;
      }
      if (r instanceof WalCoverage.Never n) {
        throw new PermanentException(
            "backup "
                + s.backupId
                + " of cluster "
                + s.cluster
                + " cannot be restored: "
                + n.reason());
      }
      WalCoverage.Waiting w = (WalCoverage.Waiting) r;
      if (System.nanoTime() > deadline) {
        throw new PermanentException(
            "backup "
                + s.backupId
                + " of cluster "
                + s.cluster
                + ": the WAL archive still lacks "
                + w.missing()
                + " after "
                + timeout.toSeconds()
                + " s (it holds WAL up to "
                + w.newest().map(Object::toString).orElse("nothing")
                + "; the backup needs up to "
                + end
                + " on timeline "
                + endTli
                + "). Is send-wal streaming for cluster "
                + s.cluster
                + "? Not committed");
      }
      long now = System.nanoTime();
      if (!w.missing().equals(reported) || now - lastReport > 5_000_000_000L) {
        WaitingForWal.Builder b = WaitingForWal.newBuilder().setMissingSegment(w.missing());
        w.newest()
            .ifPresent(
                p ->
                    b.setDurableLsn(p.lsn().value())
                        .setDurableTimeline((int) p.timeline().value()));
        send(RunResponse.newBuilder().setWaitingForWal(b).build());
        reported = w.missing();
        lastReport = now;
      }
      if (isOver()) {
        throw new CancelledException();
      }
      Thread.sleep(200);
    }
  }

  @Override
  protected void halfClosed() {
    if (session != null && !session.isEnded()) {
      session.abort("the client ended the Run call without 'finish'");
    }
    complete();
  }

  @Override
  protected void cancelled() {
    if (session != null && !session.isEnded()) {
      session.abort("the client went away or the call failed");
    }
  }
}
