package io.klio.server.backup;

import io.klio.api.ClusterName;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.BackupStarted;
import io.klio.api.grpc.v1.BeginBackup;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.dedup.repo.ChunkId;
import io.klio.dedup.repo.ChunkWriter;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running backup on the server: its chunk-writer session (chunks go into the Tier 1 chunk
 * repository as they arrive), the entries staged so far, and what the client said about it. Made by
 * {@link BackupSessions}; ended by a commit or an abort, exactly once. Thread-safe: several Upload
 * calls feed one session at once.
 */
final class BackupSession {

  private static final Logger LOG = LoggerFactory.getLogger(BackupSession.class);

  final ClusterName cluster;
  final String backupId;
  final BeginBackup begin;
  final long startedAtMs;
  private final byte[] token;
  private final ChunkWriter writer;
  private final EntryStaging entries;
  private final java.util.function.Consumer<Boolean> onEnd;
  private BackupStarted started;
  private long files;
  private long directories;
  private long dataBytes;
  private long chunkRefs;
  private int openUploads;
  private long chunksReceived;
  private boolean ended;

  BackupSession(
      ClusterName cluster,
      String backupId,
      BeginBackup begin,
      byte[] token,
      ChunkWriter writer,
      EntryStaging entries,
      java.util.function.Consumer<Boolean> onEnd) {
    this.cluster = cluster;
    this.backupId = backupId;
    this.begin = begin;
    this.startedAtMs = System.currentTimeMillis();
    this.token = token.clone();
    this.writer = writer;
    this.entries = entries;
    this.onEnd = onEnd;
  }

  byte[] token() {
    return token.clone();
  }

  boolean tokenMatches(byte[] presented) {
    return MessageDigest.isEqual(token, presented);
  }

  synchronized void started(BackupStarted s) {
    this.started = s;
  }

  synchronized Optional<BackupStarted> started() {
    return Optional.ofNullable(started);
  }

  synchronized void uploadOpened() throws PermanentException {
    checkRunning();
    openUploads++;
  }

  synchronized void uploadClosed() {
    openUploads--;
  }

  synchronized int openUploads() {
    return openUploads;
  }

  /** Of {@code ids} (32 bytes each, concatenated), the positions of those the repository lacks. */
  List<Integer> missing(byte[] ids) throws IOException {
    checkRunning();
    List<ChunkId> list = idsOf(ids, "query");
    List<ChunkId> missing = writer.missing(list);
    List<Integer> positions = new ArrayList<>(missing.size());
    int j = 0;
    for (int i = 0; i < list.size() && j < missing.size(); i++) {
      if (list.get(i).equals(missing.get(j))) {
        positions.add(i);
        j++;
      }
    }
    return positions;
  }

  /** Stores one uploaded chunk (checked against its id first). */
  void chunk(byte[] id, int codec, byte[] data, int length) throws IOException {
    checkRunning();
    if (id.length != ChunkId.LENGTH) {
      throw new IllegalArgumentException("a chunk id has 32 bytes, not " + id.length);
    }
    writer.putEncoded(ChunkId.of(id), codec, data, 0, data.length, length);
    synchronized (this) {
      chunksReceived++;
    }
  }

  /**
   * Adds one entry to the backup, after checking it: a sane path, a known kind, and for a file
   * chunk lengths that add up to its size and chunks that the repository or this backup holds.
   */
  void entry(FileEntry e) throws IOException {
    checkRunning();
    String path = checkPath(e.getPath().toByteArray(), e.getKind() == FileKind.FILE_KIND_DIRECTORY);
    if (e.getKind() == FileKind.FILE_KIND_FILE) {
      byte[] ids = e.getChunkIds().toByteArray();
      List<ChunkId> list = idsOf(ids, path);
      if (list.size() != e.getChunkLengthsCount()) {
        throw new IllegalArgumentException(
            path + ": " + list.size() + " chunk ids but " + e.getChunkLengthsCount() + " lengths");
      }
      long sum = 0;
      for (int len : e.getChunkLengthsList()) {
        sum += Integer.toUnsignedLong(len);
      }
      if (sum != e.getSize()) {
        throw new IllegalArgumentException(
            path + ": its chunks hold " + sum + " bytes, its size is " + e.getSize());
      }
      List<ChunkId> absent = writer.missing(list);
      if (!absent.isEmpty()) {
        throw new IllegalArgumentException(
            path
                + " names chunk "
                + absent.get(0)
                + ", which was never uploaded ("
                + absent.size()
                + " such chunks); the client must upload the chunks a query reports missing"
                + " before the file's entry");
      }
      entries.append(e);
      synchronized (this) {
        files++;
        dataBytes += e.getSize();
        chunkRefs += list.size();
      }
    } else if (e.getKind() == FileKind.FILE_KIND_DIRECTORY) {
      if (e.getSize() != 0 || !e.getChunkIds().isEmpty()) {
        throw new IllegalArgumentException(path + ": a directory entry has no content");
      }
      entries.append(e);
      synchronized (this) {
        directories++;
      }
    } else {
      throw new IllegalArgumentException(path + ": unknown entry kind " + e.getKindValue());
    }
  }

  /**
   * A relative path without empty, {@code .} or {@code ..} parts; {@code .} is the data directory.
   */
  private static String checkPath(byte[] raw, boolean directory) {
    String p = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    if (directory && p.equals(".")) {
      return p;
    }
    if (raw.length == 0 || raw.length > 4096 || raw[0] == '/' || p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid path in a backup entry: '" + p + "'");
    }
    for (String part : p.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("invalid path in a backup entry: '" + p + "'");
      }
    }
    return p;
  }

  private static List<ChunkId> idsOf(byte[] ids, String what) {
    if (ids.length % ChunkId.LENGTH != 0) {
      throw new IllegalArgumentException(
          what + ": chunk ids are 32 bytes each; " + ids.length + " bytes is not a multiple");
    }
    List<ChunkId> out = new ArrayList<>(ids.length / ChunkId.LENGTH);
    for (int i = 0; i < ids.length; i += ChunkId.LENGTH) {
      out.add(ChunkId.read(ids, i));
    }
    return out;
  }

  /** Counts so far. */
  record Counts(
      long files,
      long directories,
      long dataBytes,
      long chunkRefs,
      long chunksReceived,
      ChunkWriter.Stats writer) {}

  synchronized Counts counts() {
    return new Counts(files, directories, dataBytes, chunkRefs, chunksReceived, writer.stats());
  }

  /** Makes every uploaded chunk durable and indexed; the staged entries' file. */
  java.nio.file.Path seal() throws IOException {
    checkRunning();
    writer.flush();
    return entries.finish();
  }

  synchronized long entryCount() {
    return entries.count();
  }

  /**
   * Ends the session once: closes the writer (after a commit its chunks are named by the manifest;
   * after an abort they are stored and indexed, reused by the next backup or reclaimed by garbage
   * collection), removes the staged entries, and leaves the registry.
   */
  void abort(String why) {
    end("aborted: " + why, false);
  }

  /** Ends the session after its manifest was stored. */
  void committed(String what) {
    end("committed: " + what, true);
  }

  private void end(String how, boolean committed) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("backup {} of {}: closing its chunk writer: {}", backupId, cluster, e.getMessage());
    }
    try {
      entries.close();
    } catch (IOException e) {
      LOG.warn(
          "backup {} of {}: removing its staged entries: {}", backupId, cluster, e.getMessage());
    }
    onEnd.accept(committed);
    LOG.info("backup {} of cluster {} {}", backupId, cluster, how);
  }

  synchronized boolean isEnded() {
    return ended;
  }

  private synchronized void checkRunning() throws PermanentException {
    if (ended) {
      throw new PermanentException(
          "backup " + backupId + " of cluster " + cluster + " has ended (aborted or committed)");
    }
  }
}
