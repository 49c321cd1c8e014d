package io.klio.backup;

import com.google.protobuf.ByteString;
import io.klio.api.ChunkHasher;
import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.format.Codec;
import io.klio.api.format.Codecs;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.dedup.chunk.Chunker;
import io.klio.dedup.repo.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * One backup worker: reads files into its buffer, cuts them into chunks in place, hashes them, and
 * resolves them in batches that may span several files (a query of the distinct ids, then a put of
 * each missing chunk, encoded straight from the buffer). A file's entry is recorded once all its
 * chunks are resolved. Memory: one buffer of batch size plus the largest chunk, one batch.
 */
final class BackupWorker implements Runnable {

  private static final int READ_UNIT = 1 << 20;

  private final WorkQueue<DataFile> run;
  private final ChunkSink sink;
  private final Chunker chunker;
  private final ChunkHasher hasher;
  private final Codec codec;
  private final BackupCounters counters;
  private final byte[] buf;
  private final ByteBuffer window;
  private final int maxChunk;
  private final ChunkBatch batch;
  private final boolean[] lacking;
  private final boolean[] sent;
  private final List<PendingFile> waiting = new ArrayList<>();
  private final CRC32C crc = new CRC32C();

  /** Chunks before {@code scan} are in the batch; {@code [scan, end)} is read, not yet cut. */
  private int scan;

  private int end;

  BackupWorker(
      WorkQueue<DataFile> run,
      ChunkSink sink,
      Chunker chunker,
      ChunkHasher hasher,
      Codec codec,
      BackupCounters counters,
      int batchBytes,
      int batchChunks) {
    this.run = run;
    this.sink = sink;
    this.chunker = chunker;
    this.hasher = hasher;
    this.codec = codec;
    this.counters = counters;
    this.maxChunk = chunker.maxChunkSize();
    this.buf = new byte[batchBytes + maxChunk];
    this.window = ByteBuffer.wrap(buf);
    this.batch = new ChunkBatch(batchChunks);
    this.lacking = new boolean[batchChunks];
    this.sent = new boolean[batchChunks];
  }

  @Override
  public void run() {
    try {
      while (true) {
        Optional<DataFile> next = run.poll();
        if (next == null) {
          resolve(); // nothing queued: do not sit on read chunks
          next = run.take();
        }
        if (next.isEmpty() || run.failed()) {
          break;
        }
        DataFile f = next.get();
        if (f.isDirectory()) {
          directory(f);
        } else {
          file(f);
        }
      }
      if (run.failed()) {
        sink.abort(run.failure());
        return;
      }
      resolve();
    } catch (Throwable t) {
      run.fail(t);
      sink.abort(t);
      return;
    }
    try {
      sink.close();
    } catch (Throwable t) {
      run.fail(t);
    }
  }

  private void directory(DataFile f) throws IOException {
    sink.file(
        FileEntry.newBuilder()
            .setPath(ByteString.copyFromUtf8(f.path()))
            .setKind(FileKind.FILE_KIND_DIRECTORY)
            .setMode(f.mode())
            .setMtimeSeconds(f.mtimeSeconds())
            .setMtimeNanos(f.mtimeNanos())
            .build());
    counters.directories.incrementAndGet();
    run.done();
  }

  private void file(DataFile f) throws IOException {
    try {
      readFile(f);
    } catch (KlioException e) {
      throw e; // from the sink, classified there
    } catch (IOException e) {
      throw new IOException(
          "could not read " + f.source() + " (" + f.path() + " in the backup): " + e, e);
    }
  }

  private void readFile(DataFile f) throws IOException {
    DataFile now = f;
    if (f.isControlFile()) {
      // read after every other file: take its attributes now, and all of it
      PosixFileAttributes a =
          Files.readAttributes(f.source(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      var t = a.lastModifiedTime().toInstant();
      now =
          new DataFile(
              f.path(),
              f.source(),
              f.kind(),
              Modes.bits(a.permissions()),
              Long.MAX_VALUE,
              t.getEpochSecond(),
              t.getNano());
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(f.source(), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      counters.vanished.incrementAndGet();
      run.done();
      return;
    }
    PendingFile pf = new PendingFile(now, now.mode(), now.mtimeSeconds(), now.mtimeNanos());
    try (ch) {
      crc.reset();
      cut(ch, pf, now.size());
    }
    pf.readDone((int) crc.getValue());
    if (!pf.inBatch) {
      record(pf);
    }
  }

  /** Reads up to {@code limit} bytes (the size found by the walk) and cuts them into chunks. */
  private void cut(FileChannel ch, PendingFile pf, long limit) throws IOException {
    long remaining = limit;
    boolean eof = remaining == 0;
    while (true) {
      while (!eof && end - scan < maxChunk) {
        if (end == buf.length) {
          resolve();
          compact();
        }
        int want = (int) Math.min(Math.min(buf.length - end, READ_UNIT), remaining);
        window.limit(end + want).position(end);
        int n = ch.read(window);
        if (n < 0) {
          eof = true; // shrank while being read
          break;
        }
        crc.update(buf, end, n);
        end += n;
        remaining -= n;
        pf.addBytes(n);
        counters.bytesRead.addAndGet(n);
        eof = remaining == 0;
      }
      if (scan == end) {
        return;
      }
      int len = chunker.nextChunk(buf, scan, end);
      byte[] id = hasher.hash(buf, scan, len);
      pf.addChunk(id, len);
      if (!pf.inBatch) {
        pf.inBatch = true;
        waiting.add(pf);
      }
      batch.add(ChunkId.of(id), scan, len);
      scan += len;
      if (batch.isFull()) {
        resolve();
      }
    }
  }

  /** Moves what is read but not cut to the start of the buffer (the batch is empty). */
  private void compact() {
    System.arraycopy(buf, scan, buf, 0, end - scan);
    end -= scan;
    scan = 0;
  }

  /**
   * Asks which chunks of the batch the repository lacks, puts those, and records every file whose
   * chunks are now all resolved.
   */
  private void resolve() throws IOException {
    if (batch.size == 0) {
      return;
    }
    List<ChunkId> distinct = batch.distinct;
    int[] missing = sink.missing(Collections.unmodifiableList(distinct));
    Arrays.fill(lacking, 0, distinct.size(), false);
    Arrays.fill(sent, 0, distinct.size(), false);
    int previous = -1;
    for (int m : missing) {
      if (m <= previous || m >= distinct.size()) {
        throw new PermanentException(
            "the backup sink answered position "
                + m
                + " for a query of "
                + distinct.size()
                + " chunk ids; positions must ascend and lie in the query");
      }
      lacking[m] = true;
      previous = m;
    }
    long newChunks = 0;
    for (int i = 0; i < batch.size; i++) {
      int d = batch.distinctIndex[i];
      if (lacking[d] && !sent[d]) {
        sent[d] = true;
        Codecs.Encoded e = Codecs.encodeOrStore(codec, buf, batch.offsets[i], batch.lengths[i]);
        sink.put(batch.ids[i], e.codec().id(), e.bytes(), batch.lengths[i]);
        counters.bytesSent.addAndGet(e.bytes().length);
        counters.newBytes.addAndGet(batch.lengths[i]);
        newChunks++;
      }
    }
    counters.chunks.addAndGet(batch.size);
    counters.chunksNew.addAndGet(newChunks);
    counters.chunksKnown.addAndGet(batch.size - newChunks);
    batch.clear();
    for (PendingFile pf : waiting) {
      pf.inBatch = false;
      if (pf.isReadDone()) {
        record(pf);
      }
    }
    waiting.clear();
    if (end == scan) {
      scan = 0;
      end = 0;
    }
    counters.maybeNotify();
  }

  private void record(PendingFile pf) throws IOException {
    FileEntry entry = pf.finish();
    sink.file(entry);
    counters.files.incrementAndGet();
    counters.dataBytes.addAndGet(pf.size());
    run.done();
    counters.maybeNotify();
  }
}
