package io.klio.client.internal;

import io.grpc.ManagedChannel;
import io.klio.api.ChunkHasher;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineHistory;
import io.klio.api.TimelineId;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.ArchiveInfo;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.ListBackupsRequest;
import io.klio.backup.ProgressMeter;
import io.klio.backup.RestoreProgress;
import io.klio.backup.RestoreResult;
import io.klio.backup.RestoreWriter;
import io.klio.backup.WrittenFile;
import io.klio.backup.pgmanifest.BackupManifestVerifier;
import io.klio.backup.pgmanifest.WalRange;
import io.klio.backup.pgmanifest.WalRanges;
import io.klio.backup.recovery.BackupSelection;
import io.klio.backup.recovery.RecoveryConfig;
import io.klio.client.KlioClientOptions;
import io.klio.client.RestoreClient;
import io.klio.client.RestoreReport;
import io.klio.client.RestoreRequest;
import io.klio.client.WalFetcher;
import io.klio.client.wire.StatusMapping;
import io.klio.dedup.repo.Sha256ChunkHasher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The {@link RestoreClient} over the backup service and the WAL service of one channel. */
final class GrpcRestoreClient implements RestoreClient {

  private static final Duration WAL_CHECK_TIMEOUT = Duration.ofSeconds(60);

  private final BackupServiceGrpc.BackupServiceBlockingStub blocking;
  private final BackupServiceGrpc.BackupServiceStub async;
  private final ArchiveCalls archive;
  private final WalFetcher wal;
  private final ClusterName cluster;
  private final Duration callTimeout;

  GrpcRestoreClient(ManagedChannel channel, KlioClientOptions options, WalFetcher wal) {
    this.blocking = BackupServiceGrpc.newBlockingStub(channel);
    this.async = BackupServiceGrpc.newStub(channel);
    this.archive = new ArchiveCalls(channel, options);
    this.wal = wal;
    this.cluster = options.cluster();
    this.callTimeout = options.callTimeout();
  }

  @Override
  public RestoreReport restore(RestoreRequest req, Listener listener)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    BackupSummary chosen = select(req);
    listener.selected(chosen);
    Path dir = req.dataDirectory().toAbsolutePath().normalize();
    try (ManifestStream manifest = ManifestStream.open(async, cluster, chosen.getBackupId())) {
      BackupSummary b = manifest.summary();
      int major = b.getServerVersionNum() / 10000;
      ProgressMeter meter = new ProgressMeter(Duration.ofSeconds(10));
      PgManifestRecorder recorder =
          new PgManifestRecorder(
              dir,
              major,
              new SystemIdentifier(b.getSystemIdentifier()),
              p -> listener.progress(progress(meter, p)));
      RestoreWriter writer =
          RestoreWriter.builder()
              .target(dir)
              .tablespaces(b.getTablespacesList())
              .tablespaceMappings(req.tablespaceMappings())
              .hasher(hasher(b, manifest))
              .sources(worker -> new ReadChunksSource(async, cluster, worker))
              .workers(req.jobs())
              .listener(recorder)
              .expectedTotals(b.getDataBytes(), b.getFileCount())
              .build();
      // refusals before anything is written: a directory in the way, WAL that cannot be fetched
      writer.check();
      TimelineHistory history = checkWal(b);
      List<WalRange> ranges = walRanges(b, history);
      RestoreResult copied;
      listener.copying(dir);
      try {
        copied = writer.run(manifest.entries());
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      listener.step("writing backup_label, tablespace_map and backup_manifest");
      WrittenFile label = writer.writeBackupLabel(b.getBackupLabel().toByteArray());
      Optional<WrittenFile> map = writer.writeTablespaceMap(b.getTablespaceMap().toByteArray());
      long listed = recorder.finish(ranges);
      RecoveryConfig recovery =
          RecoveryConfig.of(req.restoreCommand())
              .withTimeline(req.timeline())
              .withInclusive(req.inclusive())
              .withAction(req.action());
      if (req.target().isPresent()) {
        recovery = recovery.withTarget(req.target().get());
      }
      if (req.recoverySettings()) {
        listener.step("writing the recovery settings");
        recovery.writeTo(dir);
      }
      listener.step("verifying the restored directory against its backup_manifest");
      verify(dir, major);
      return new RestoreReport(
          b,
          dir,
          writer.tablespaceDirectories(),
          copied.files() + 1 + (map.isPresent() ? 1 : 0),
          copied.bytes() + label.size() + map.map(WrittenFile::size).orElse(0L),
          copied.chunks(),
          listed,
          req.recoverySettings() ? recovery.settings() : "",
          Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /** The backup to restore, refusing a target the archive cannot reach. */
  private BackupSummary select(RestoreRequest req) throws IOException {
    List<BackupSummary> catalog =
        StatusMapping.call(
                () ->
                    blocking
                        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .list(ListBackupsRequest.newBuilder().setCluster(cluster.value()).build()))
            .getBackupsList();
    return BackupSelection.select(
        catalog, req.backupId(), req.target(), req.timeline(), reach(archive.info()));
  }

  /** How far the archive reaches, as {@code GetInfo} says (empty when it holds no WAL). */
  static Optional<BackupSelection.ArchiveReach> reach(ArchiveInfo info) {
    if (info.getNewestLsn() == 0) {
      return Optional.empty();
    }
    Optional<Instant> at =
        info.getNewestTimeMs() > 0
            ? Optional.of(Instant.ofEpochMilli(info.getNewestTimeMs()))
            : Optional.empty();
    return Optional.of(new BackupSelection.ArchiveReach(Lsn.of(info.getNewestLsn()), at));
  }

  /** The hasher of the backup's chunk ids, with the key the server sent for keyed ids. */
  static ChunkHasher hasher(BackupSummary b, ManifestStream m) throws PermanentException {
    return hasher(b.getChunkIdAlgorithm(), m.chunkIdKey().toByteArray(), b.getBackupId());
  }

  static ChunkHasher hasher(String algorithm, byte[] key, String backupId)
      throws PermanentException {
    switch (algorithm) {
      case "sha256" -> {
        return Sha256ChunkHasher.INSTANCE;
      }
      case "hmac-sha256" -> {
        if (key.length != 32) {
          throw new PermanentException(
              "backup "
                  + backupId
                  + " has keyed chunk ids (hmac-sha256), but the Klio server sent "
                  + (key.length == 0 ? "no key" : "a key of " + key.length + " bytes")
                  + ": it cannot be checked; is the server configured with its encryption key?");
        }
        return ChunkHasher.hmacSha256(key);
      }
      default ->
          throw new PermanentException(
              "backup "
                  + backupId
                  + " has chunk ids of algorithm '"
                  + algorithm
                  + "', which this version of Klio does not know; upgrade Klio to restore it");
    }
  }

  /**
   * Checks that the archive serves the backup's first WAL file (and its end timeline's history),
   * before anything is written; the history, for the manifest's WAL ranges.
   */
  private TimelineHistory checkWal(BackupSummary b) throws IOException {
    try {
      wal.fetch(b.getBeginWal(), WAL_CHECK_TIMEOUT);
    } catch (NotFoundException e) {
      throw new NotFoundException(
          "the WAL archive of cluster "
              + cluster
              + " does not hold "
              + b.getBeginWal()
              + ", the first WAL file backup "
              + b.getBackupId()
              + " needs: no recovery from it could start, so nothing was written. Restore"
              + " another backup",
          e);
    }
    TimelineId end = TimelineId.of(b.getEndTimeline());
    if (b.getEndTimeline() == b.getStartTimeline()) {
      return new TimelineHistory(end, List.of());
    }
    String name = end.toHex() + ".history";
    try {
      return TimelineHistory.parse(end, wal.fetch(name, WAL_CHECK_TIMEOUT).content());
    } catch (NotFoundException e) {
      throw new NotFoundException(
          "the WAL archive of cluster "
              + cluster
              + " does not hold "
              + name
              + ", the history of the timeline backup "
              + b.getBackupId()
              + " ends on; nothing was written",
          e);
    }
  }

  private static List<WalRange> walRanges(BackupSummary b, TimelineHistory history)
      throws PermanentException {
    try {
      return WalRanges.compute(
          TimelineId.of(b.getStartTimeline()),
          Lsn.of(b.getStartLsn()),
          TimelineId.of(b.getEndTimeline()),
          Lsn.of(b.getEndLsn()),
          history);
    } catch (IllegalArgumentException e) {
      throw new PermanentException(
          "the WAL ranges of backup " + b.getBackupId() + " do not fit: " + e.getMessage(), e);
    }
  }

  /** Runs Klio's pg_verifybackup rules over the restored directory. */
  private static void verify(Path dir, int major) throws PermanentException {
    BackupManifestVerifier.Options o = BackupManifestVerifier.Options.defaults();
    if (major >= 15 && major <= 18) {
      o = o.emulating(major);
    }
    BackupManifestVerifier.Report r = BackupManifestVerifier.verify(dir, o);
    if (!r.ok()) {
      throw new PermanentException(
          "the restored directory "
              + dir
              + " does not match its backup_manifest ("
              + r.findings().size()
              + " problems): "
              + r.findings().stream()
                  .limit(10)
                  .map(Object::toString)
                  .collect(Collectors.joining("; "))
              + "; do not start PostgreSQL on it: remove it and restore again");
    }
  }

  private static Progress progress(ProgressMeter meter, RestoreProgress p) {
    meter.update(System.nanoTime(), p.bytesWritten());
    return new Progress(
        p.bytesWritten(),
        p.bytesTotal(),
        p.filesDone(),
        p.filesTotal(),
        meter.rate(),
        meter.eta(p.bytesTotal()));
  }
}
