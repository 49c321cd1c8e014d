package io.klio.server.backup;

import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.error.KlioException;
import io.klio.api.error.NotFoundException;
import io.klio.api.format.Codecs;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.api.grpc.v1.VerifyBackupRequest;
import io.klio.api.grpc.v1.VerifyFinding;
import io.klio.api.grpc.v1.VerifyProgress;
import io.klio.dedup.repo.ChunkId;
import io.klio.dedup.repo.ChunkRepository;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;

/**
 * Re-reads every chunk of a committed backup, decodes it, checks it against its id and each file
 * against its length and CRC-32C, reporting each bad chunk with its file, offset and pack. Progress
 * goes out about once a second; the last message has {@code done}.
 */
final class VerifyCall extends WorkerCall<VerifyBackupRequest, VerifyProgress> {

  private final BackupServiceImpl service;

  VerifyCall(BackupServiceImpl service, ServerCallStreamObserver<VerifyProgress> out, Executor ex) {
    super(out, ex, false);
    this.service = service;
  }

  @Override
  protected void handle(VerifyBackupRequest r) throws Exception {
    ClusterName cluster = service.authorize(identity, r.getCluster());
    ChunkRepository repo = service.repo;
    try (StoredManifest.Reader m = service.catalog.open(cluster, r.getBackupId())) {
      long filesTotal = m.summary().getFileCount();
      long bytesTotal = m.summary().getDataBytes();
      long files = 0;
      long bytes = 0;
      long lastSent = System.nanoTime();
      VerifyProgress.Builder p = VerifyProgress.newBuilder();
      for (FileEntry e = m.next(); e != null; e = m.next()) {
        if (e.getKind() != FileKind.FILE_KIND_FILE) {
          continue;
        }
        String path = e.getPath().toString(StandardCharsets.UTF_8);
        byte[] ids = e.getChunkIds().toByteArray();
        CRC32C crc = new CRC32C();
        long offset = 0;
        boolean bad = false;
        for (int i = 0; i < e.getChunkLengthsCount(); i++) {
          ChunkId id = ChunkId.read(ids, i * ChunkId.LENGTH);
          int length = e.getChunkLengths(i);
          String problem = null;
          String location = "";
          try {
            ChunkRepository.StoredChunk c = repo.readStored(id);
            location = c.location();
            byte[] plain = Codecs.byId(c.codec()).decode(c.encoded(), c.length());
            if (plain.length != length) {
              problem = "holds " + plain.length + " bytes, the manifest says " + length;
            } else if (!Arrays.equals(repo.hasher().hash(plain, 0, plain.length), id.toBytes())) {
              problem = "its content does not match its id";
            } else {
              crc.update(plain, 0, plain.length);
            }
          } catch (NotFoundException missing) {
            problem = "is not in the repository";
          } catch (KlioException damaged) {
            if (damaged.isRetryable()) {
              throw damaged;
            }
            problem = damaged.getMessage();
          }
          if (problem != null) {
            bad = true;
            p.addFindings(
                VerifyFinding.newBuilder()
                    .setPath(path)
                    .setOffset(offset)
                    .setChunkId(id.toString())
                    .setLocation(location)
                    .setProblem("chunk " + problem));
          }
          offset += Integer.toUnsignedLong(length);
          bytes += Integer.toUnsignedLong(length);
        }
        if (!bad && (int) crc.getValue() != e.getCrc32C()) {
          p.addFindings(
              VerifyFinding.newBuilder()
                  .setPath(path)
                  .setProblem("the file's CRC-32C does not match the manifest"));
        }
        files++;
        if (System.nanoTime() - lastSent > 1_000_000_000L || p.getFindingsCount() > 100) {
          send(
              p.setFilesChecked(files)
                  .setBytesChecked(bytes)
                  .setFilesTotal(filesTotal)
                  .setBytesTotal(bytesTotal)
                  .build());
          p = VerifyProgress.newBuilder();
          lastSent = System.nanoTime();
        }
      }
      send(
          p.setFilesChecked(files)
              .setBytesChecked(bytes)
              .setFilesTotal(filesTotal)
              .setBytesTotal(bytesTotal)
              .setDone(true)
              .build());
    }
  }

  @Override
  protected void halfClosed() {
    complete();
  }
}
