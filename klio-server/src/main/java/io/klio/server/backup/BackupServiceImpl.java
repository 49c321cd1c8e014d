package io.klio.server.backup;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupBegun;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.ChunkData;
import io.klio.api.grpc.v1.DeleteBackupRequest;
import io.klio.api.grpc.v1.DeleteBackupResponse;
import io.klio.api.grpc.v1.GetBackupRequest;
import io.klio.api.grpc.v1.ListBackupsRequest;
import io.klio.api.grpc.v1.ListBackupsResponse;
import io.klio.api.grpc.v1.ManifestPart;
import io.klio.api.grpc.v1.ReadChunksRequest;
import io.klio.api.grpc.v1.ReadManifestRequest;
import io.klio.api.grpc.v1.RunRequest;
import io.klio.api.grpc.v1.RunResponse;
import io.klio.api.grpc.v1.UploadRequest;
import io.klio.api.grpc.v1.UploadResponse;
import io.klio.api.grpc.v1.VerifyBackupRequest;
import io.klio.api.grpc.v1.VerifyProgress;
import io.klio.client.wire.StatusMapping;
import io.klio.crypto.SealedObjects;
import io.klio.dedup.repo.ChunkRepository;
import io.klio.dedup.repo.GarbageCollector;
import io.klio.server.wal.Archives;
import io.klio.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backup service (klio/v1/backup.proto) over the Tier 1 chunk repository and the backup
 * catalog: running backups ({@link RunCall}, {@link UploadCall}), the catalog, and reading backups
 * back ({@link ReadManifestCall}, {@link ReadChunksCall}, {@link VerifyCall}). Calls that may block
 * run on the service's own threads, never on gRPC's.
 */
public final class BackupServiceImpl extends BackupServiceGrpc.BackupServiceImplBase
    implements AutoCloseable {

  /** The largest Upload message accepted: a chunk of at most 16 MiB and its framing. */
  static final int MAX_MESSAGE_BYTES = 16 << 20;

  final Archives archives;
  final BackupCatalog catalog;
  final BackupSessions sessions;
  final ChunkRepository repo;
  final Duration walTimeout;
  final BackupMetrics metrics;
  private final Optional<byte[]> chunkIdKey;
  private final ExecutorService executor;

  private BackupServiceImpl(
      Archives archives,
      BackupCatalog catalog,
      BackupSessions sessions,
      ChunkRepository repo,
      Optional<byte[]> chunkIdKey,
      Duration walTimeout,
      BackupMetrics metrics) {
    this.archives = archives;
    this.catalog = catalog;
    this.sessions = sessions;
    this.repo = repo;
    this.chunkIdKey = chunkIdKey.map(byte[]::clone);
    this.walTimeout = walTimeout;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "klio-backup-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The service over Tier 1. Call once, when the server starts: it ends the writer sessions and
   * removes the staged entries that a previous server process left (a backup never outlives the
   * process that received it; its chunks stay, indexed, for the next backup to reuse).
   *
   * @param chunkIdKey the key of keyed chunk ids in an encrypted repository
   */
  public static BackupServiceImpl start(
      BlobStore store,
      Path tier1,
      SealedObjects sealed,
      ChunkRepository repo,
      Optional<byte[]> chunkIdKey,
      Archives archives,
      Duration walTimeout,
      BackupMetrics metrics)
      throws IOException {
    Path staging = EntryStaging.prepare(tier1);
    repo.endSessionsBefore(Instant.now());
    repo.refresh();
    BackupCatalog catalog = new BackupCatalog(store, sealed, archives::names);
    return new BackupServiceImpl(
        archives,
        catalog,
        new BackupSessions(repo, staging, catalog, metrics),
        repo,
        chunkIdKey,
        walTimeout,
        metrics);
  }

  /** The caller may act for {@code cluster} (its certificate names it); the parsed name. */
  ClusterName authorize(Optional<String> identity, String cluster) {
    ClusterName name;
    try {
      name = ClusterName.of(cluster);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription("invalid cluster name: " + e.getMessage())
          .asRuntimeException();
    }
    if (identity.isPresent() && !identity.get().equals(cluster)) {
      throw Status.PERMISSION_DENIED
          .withDescription(
              "the client certificate was issued for '"
                  + identity.get()
                  + "', which may not act for cluster '"
                  + cluster
                  + "'")
          .asRuntimeException();
    }
    return name;
  }

  BackupBegun begun(BackupSession s) {
    BackupBegun.Builder b =
        BackupBegun.newBuilder()
            .setBackupId(s.backupId)
            .setUploadToken(ByteString.copyFrom(tokenOf(s)))
            .setChunker(repo.config().chunker())
            .setChunkIdAlgorithm(repo.config().chunkId())
            .setCodec(repo.config().codec())
            .setMaxMessageBytes(MAX_MESSAGE_BYTES);
    chunkIdKey.ifPresent(k -> b.setChunkIdKey(ByteString.copyFrom(k)));
    return b.build();
  }

  /** The key of keyed chunk ids, for a restore's first ManifestPart; empty when not encrypted. */
  ByteString chunkIdKey() {
    return chunkIdKey.map(ByteString::copyFrom).orElse(ByteString.EMPTY);
  }

  private static byte[] tokenOf(BackupSession s) {
    return s.token();
  }

  void committed(BackupSummary s) {
    metrics.committed(s);
  }

  /** How many backups run now. */
  public int running() {
    return sessions.all().size();
  }

  // ---- streaming calls

  @Override
  public StreamObserver<RunRequest> run(StreamObserver<RunResponse> out) {
    return new RunCall(this, (ServerCallStreamObserver<RunResponse>) out, executor);
  }

  @Override
  public StreamObserver<UploadRequest> upload(StreamObserver<UploadResponse> out) {
    return new UploadCall(this, (ServerCallStreamObserver<UploadResponse>) out, executor);
  }

  @Override
  public StreamObserver<ReadChunksRequest> readChunks(StreamObserver<ChunkData> out) {
    return new ReadChunksCall(this, (ServerCallStreamObserver<ChunkData>) out, executor);
  }

  @Override
  public void readManifest(ReadManifestRequest req, StreamObserver<ManifestPart> out) {
    ReadManifestCall c =
        new ReadManifestCall(this, (ServerCallStreamObserver<ManifestPart>) out, executor);
    c.onNext(req);
    c.onCompleted();
  }

  @Override
  public void verify(VerifyBackupRequest req, StreamObserver<VerifyProgress> out) {
    VerifyCall c = new VerifyCall(this, (ServerCallStreamObserver<VerifyProgress>) out, executor);
    c.onNext(req);
    c.onCompleted();
  }

  // ---- the catalog

  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> void unary(StreamObserver<T> out, Call<T> call) {
    try {
      out.onNext(call.run());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(StatusMapping.toStatus(e));
    }
  }

  @Override
  public void list(ListBackupsRequest req, StreamObserver<ListBackupsResponse> out) {
    Optional<String> id = io.klio.server.grpc.ClientIdentity.current();
    unary(
        out,
        () ->
            ListBackupsResponse.newBuilder()
                .addAllBackups(catalog.list(authorize(id, req.getCluster())))
                .build());
  }

  @Override
  public void get(GetBackupRequest req, StreamObserver<BackupSummary> out) {
    Optional<String> id = io.klio.server.grpc.ClientIdentity.current();
    unary(out, () -> catalog.get(authorize(id, req.getCluster()), req.getBackupId()));
  }

  @Override
  public void delete(DeleteBackupRequest req, StreamObserver<DeleteBackupResponse> out) {
    Optional<String> id = io.klio.server.grpc.ClientIdentity.current();
    unary(
        out,
        () -> {
          ClusterName cluster = authorize(id, req.getCluster());
          BackupSummary s = catalog.get(cluster, req.getBackupId());
          if (!req.getForce() && restorable(s) && restorableOthers(cluster, s) == 0) {
            throw new PermanentException(
                "backup "
                    + s.getBackupId()
                    + " is the only backup of cluster "
                    + cluster
                    + " from which its WAL archive can be restored; deleting it leaves nothing to"
                    + " restore from. Take another backup first, or delete it with --force");
          }
          return DeleteBackupResponse.newBuilder()
              .setDeleted(catalog.delete(cluster, req.getBackupId()))
              .build();
        });
  }

  /** Whether the archive holds the WAL that makes {@code s} restorable. */
  boolean restorable(BackupSummary s) throws IOException {
    return WalCoverage.check(
            archives.holdings(ClusterName.of(s.getCluster())),
            TimelineId.of(s.getStartTimeline()),
            Lsn.of(s.getStartLsn()),
            TimelineId.of(s.getEndTimeline()),
            Lsn.of(s.getEndLsn()))
        instanceof WalCoverage.Held;
  }

  private int restorableOthers(ClusterName cluster, BackupSummary s) throws IOException {
    int n = 0;
    List<BackupSummary> all = catalog.list(cluster);
    for (BackupSummary o : all) {
      if (!o.getBackupId().equals(s.getBackupId()) && restorable(o)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Collects the garbage of the chunk repository: chunks no committed backup names. Safe while
   * backups run (see {@link GarbageCollector}).
   */
  public io.klio.dedup.repo.GcReport collectGarbage() throws IOException {
    return repo.collectGarbage(catalog::forEachLiveChunk, GarbageCollector.Options.defaults());
  }

  /** Aborts the running backups and stops the service's threads. */
  @Override
  public void close() {
    sessions.abortAll("the server is stopping");
    executor.shutdownNow();
  }
}
