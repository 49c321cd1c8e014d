package io.klio.server.client;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.klio.api.ClusterName;
import io.klio.api.error.NotFoundException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.FileData;
import io.klio.api.grpc.v1.GetFileRequest;
import io.klio.api.grpc.v1.WalServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/** Fetches files of a cluster's archive and writes them durably. Thread-safe. */
public final class WalFetcher {

  private final WalServiceGrpc.WalServiceBlockingStub stub;
  private final ClusterName cluster;

  public WalFetcher(ManagedChannel channel, ClusterName cluster) {
    this.stub = WalServiceGrpc.newBlockingStub(channel);
    this.cluster = cluster;
  }

  /** The cluster's WAL segment size as the archive records it, when it holds any WAL. */
  public java.util.Optional<io.klio.api.WalSegmentSize> segmentSize() throws IOException {
    try {
      int size =
          stub.withDeadlineAfter(30, TimeUnit.SECONDS)
              .getInfo(
                  io.klio.api.grpc.v1.GetInfoRequest.newBuilder()
                      .setCluster(cluster.value())
                      .build())
              .getWalSegmentSize();
      return size == 0
          ? java.util.Optional.empty()
          : java.util.Optional.of(io.klio.api.WalSegmentSize.ofBytes(size));
    } catch (StatusRuntimeException e) {
      throw RemoteWalSink.fromStatus(e);
    }
  }

  /** A fetched file. */
  public record File(byte[] content, boolean partial) {}

  /**
   * The file {@code name}.
   *
   * @throws NotFoundException when the archive does not hold it
   * @throws RetryableException when the server could not be reached
   */
  public File fetch(String name, long deadlineSeconds) throws IOException {
    try {
      Iterator<FileData> it =
          stub.withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
              .getFile(
                  GetFileRequest.newBuilder().setCluster(cluster.value()).setName(name).build());
      ByteArrayOutputStream out = null;
      boolean partial = false;
      long size = 0;
      while (it.hasNext()) {
        FileData d = it.next();
        if (out == null) {
          size = d.getSize();
          partial = d.getPartial();
          out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 16));
        }
        d.getData().writeTo(out);
      }
      if (out == null || out.size() != size) {
        throw new RetryableException(
            "the Klio server sent "
                + (out == null ? 0 : out.size())
                + " of "
                + size
                + " bytes of "
                + name);
      }
      return new File(out.toByteArray(), partial);
    } catch (StatusRuntimeException e) {
      throw RemoteWalSink.fromStatus(e);
    }
  }

  /** Writes {@code content} to {@code target} via a temporary file, fsync and rename. */
  public static void writeDurably(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".klio-tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
