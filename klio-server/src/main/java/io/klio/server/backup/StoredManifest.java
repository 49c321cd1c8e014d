package io.klio.server.backup;

import io.klio.api.error.PermanentException;
import io.klio.api.format.ObjectType;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.ManifestEnd;
import io.klio.api.grpc.v1.ManifestRecord;
import io.klio.crypto.SealedObjects;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobStore;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A backup manifest as stored (docs/format.md, "Backup manifest"): the common header with type 6,
 * codec none, then the payload: the {@link BackupSummary}, one {@link ManifestRecord} per entry,
 * and a last record with {@link ManifestEnd}, each in protobuf's delimited form. The object is
 * written once, whole, with one put (so a crash never leaves half a manifest), and read as a stream
 * (a manifest of a 10 TB cluster holds over a gigabyte of chunk ids).
 */
final class StoredManifest {

  static final ObjectType TYPE = ObjectType.BACKUP_MANIFEST;
  static final int FORMAT = 1;

  private StoredManifest() {}

  static BlobKey key(String cluster, String backupId) {
    return BlobKey.of("clusters/" + cluster + "/backups/" + backupId + "/manifest");
  }

  /**
   * Stores the manifest whose entries were staged in {@code entries} (delimited ManifestRecords
   * with entries only, as {@link EntryStaging} writes them).
   */
  static void write(
      BlobStore store,
      SealedObjects sealed,
      BlobKey key,
      BackupSummary summary,
      Path entries,
      long entryCount)
      throws IOException {
    byte[] head = delimited(summary.toBuilder().setFormat(FORMAT).build());
    byte[] tail =
        delimited(
            ManifestRecord.newBuilder()
                .setEnd(ManifestEnd.newBuilder().setEntryCount(entryCount))
                .build());
    long length = head.length + Files.size(entries) + tail.length;
    try (InputStream payload =
        new SequenceInputStream(
            java.util.Collections.enumeration(
                List.of(
                    new ByteArrayInputStream(head),
                    new BufferedInputStream(Files.newInputStream(entries), 1 << 16),
                    new ByteArrayInputStream(tail))))) {
      store.put(key, sealed.seal(key, TYPE, 0, length, payload));
    }
  }

  private static byte[] delimited(com.google.protobuf.MessageLite m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeDelimitedTo(out);
    return out.toByteArray();
  }

  /** Reads only the summary of the manifest at {@code key}. */
  static BackupSummary readSummary(BlobStore store, SealedObjects sealed, BlobKey key)
      throws IOException {
    try (Reader r = open(store, sealed, key)) {
      return r.summary();
    }
  }

  /** Opens the manifest at {@code key} for reading its entries in order. */
  static Reader open(BlobStore store, SealedObjects sealed, BlobKey key) throws IOException {
    InputStream raw = store.get(key);
    try {
      SealedObjects.Opened o = sealed.open(key, raw);
      if (o.header().type() != TYPE) {
        throw new PermanentException(
            "object '"
                + key
                + "' is a "
                + o.header().type().description()
                + ", not a backup manifest");
      }
      InputStream in = new BufferedInputStream(o.payload(), 1 << 16);
      BackupSummary s = BackupSummary.parseDelimitedFrom(in);
      if (s == null) {
        throw new PermanentException("backup manifest '" + key + "' is empty");
      }
      if (s.getFormat() != FORMAT) {
        throw new PermanentException(
            "backup manifest '"
                + key
                + "' has format "
                + s.getFormat()
                + ", which this version of Klio does not know; upgrade Klio to read it");
      }
      return new Reader(key, s, in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      raw.close();
      throw new PermanentException(
          "backup manifest '" + key + "' is damaged: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Reads a manifest's entries one at a time. Not thread-safe. */
  static final class Reader implements Closeable {
    private final BlobKey key;
    private final BackupSummary summary;
    private final InputStream in;
    private long read;
    private boolean ended;

    private Reader(BlobKey key, BackupSummary summary, InputStream in) {
      this.key = key;
      this.summary = summary;
      this.in = in;
    }

    BackupSummary summary() {
      return summary;
    }

    /**
     * The next entry, or null after the last one (when the end record's count and the end of the
     * object have been checked).
     *
     * @throws PermanentException when the manifest is truncated or damaged
     */
    FileEntry next() throws IOException {
      if (ended) {
        return null;
      }
      ManifestRecord r;
      try {
        r = ManifestRecord.parseDelimitedFrom(in);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new PermanentException(
            "backup manifest '"
                + key
                + "' is damaged after "
                + read
                + " entries: "
                + e.getMessage(),
            e);
      }
      if (r == null) {
        throw new PermanentException(
            "backup manifest '" + key + "' is truncated after " + read + " entries");
      }
      if (r.hasEntry()) {
        read++;
        return r.getEntry();
      }
      if (!r.hasEnd() || r.getEnd().getEntryCount() != read || in.read() != -1) {
        throw new PermanentException(
            "backup manifest '"
                + key
                + "' is damaged: its end record does not match the "
                + read
                + " entries read");
      }
      ended = true;
      return null;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
