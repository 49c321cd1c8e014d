package com.example.pgblob;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobNotFoundException;
import io.klio.storage.BlobPage;
import io.klio.storage.BlobRanges;
import io.klio.storage.BlobStore;
import io.klio.storage.ConditionalPut;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A {@link BlobStore} on two tables of a PostgreSQL database: {@code <table>} has one row per
 * object (its key, the id of its current version, its size, its part size and time), {@code
 * <table>_parts} the bytes of each version in parts of {@code part-size} bytes.
 *
 * <p>A put is one transaction: it writes the parts of a new version as it reads the stream (one
 * part in memory), points the object's row at that version ({@code INSERT … ON CONFLICT (key) DO
 * UPDATE}) and deletes the parts of the version it replaced. Until the commit nobody sees the new
 * version, and a failed put rolls back whole. Puts to one key wait for each other on the row's
 * lock, so the last to commit wins. A put-if-absent inserts the row with {@code ON CONFLICT DO
 * NOTHING}: the primary key makes exactly one of concurrent creates win. A read runs in a {@code
 * REPEATABLE READ} transaction and fetches one part at a time as the caller reads: it sees one
 * snapshot, the old version or the new one whole, and holds one part in memory.
 *
 * <p>Thread-safe. The store keeps up to {@code pool-size} connections; an open stream holds one
 * until it is closed. The JDBC plumbing (the pool, one transaction per call, classifying failures
 * by SQLSTATE) is {@link PgConnections}'.
 */
final class PgBlobStore implements BlobStore, ConditionalPut {

  private final PgConnections db;
  private final int partSize;
  private final String describe;

  /** The version of an object a read found. */
  private record Version(long id, long size, int partSize) {}

  private PgBlobStore(PgConnections db, int partSize, String describe) {
    this.db = db;
    this.partSize = partSize;
    this.describe = describe;
  }

  /** Opens the store and creates its tables when they are missing. */
  static PgBlobStore open(
      String url, Properties properties, String table, int partSize, int poolSize, String describe)
      throws IOException {
    PgConnections db = new PgConnections(url, properties, table, poolSize, describe);
    try {
      db.run("connect and check the tables", null, c -> createTables(db, c, table));
    } catch (IOException | RuntimeException e) {
      db.close();
      throw e;
    }
    return new PgBlobStore(db, partSize, describe);
  }

  private static Void createTables(PgConnections db, Connection c, String table)
      throws SQLException {
    // one opening store at a time creates them
    db.query(
        c, "SELECT pg_advisory_xact_lock(?)", rs -> null, (long) ("pgblob " + table).hashCode());
    if (db.query(c, "SELECT to_regclass(?) IS NULL", rs -> rs.getBoolean(1), table).get(0)) {
      db.update(
          c,
          "CREATE TABLE {objects} (key text COLLATE \"C\" PRIMARY KEY, id bigint NOT NULL,"
              + " size bigint NOT NULL, part_size integer NOT NULL, modified timestamptz NOT NULL)");
      db.update(
          c,
          "CREATE TABLE {parts} (key text COLLATE \"C\" NOT NULL, id bigint NOT NULL,"
              + " part_no bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (key, id, part_no))");
      // Klio's objects are compressed and encrypted already: parts go out of line as they are
      db.update(c, "ALTER TABLE {parts} ALTER COLUMN data SET STORAGE EXTERNAL");
      db.update(c, "CREATE SEQUENCE {objects}_ids");
    }
    return null;
  }

  @Override
  public BlobInfo put(BlobKey key, InputStream content) throws IOException {
    return write(key, content, false).orElseThrow();
  }

  @Override
  public boolean putIfAbsent(BlobKey key, InputStream content) throws IOException {
    return write(key, content, true).isPresent();
  }

  /** Stores a new version; empty when {@code ifAbsent} and the key exists (nothing changed). */
  private Optional<BlobInfo> write(BlobKey key, InputStream content, boolean ifAbsent)
      throws IOException {
    return db.run(
        "store",
        key,
        c -> {
          long id = db.query(c, "SELECT nextval('{objects}_ids')", rs -> rs.getLong(1)).get(0);
          byte[] buf = new byte[partSize];
          long size = 0;
          int n = buf.length;
          for (long no = 0; n == buf.length; no++) {
            n = fill(content, buf, key);
            if (n > 0) {
              byte[] data = n == buf.length ? buf : Arrays.copyOf(buf, n);
              db.update(c, "INSERT INTO {parts} VALUES (?, ?, ?, ?)", key.value(), id, no, data);
              size += n;
            }
          }
          List<Instant> written =
              db.query(
                  c,
                  "INSERT INTO {objects} VALUES (?, ?, ?, ?, clock_timestamp()) ON CONFLICT (key) DO "
                      + (ifAbsent
                          ? "NOTHING"
                          : "UPDATE SET id = excluded.id, size = excluded.size,"
                              + " part_size = excluded.part_size, modified = excluded.modified")
                      + " RETURNING modified",
                  rs -> instant(rs, 1),
                  key.value(),
                  id,
                  size,
                  partSize);
          if (written.isEmpty()) { // put-if-absent on an existing key: its parts go too
            c.rollback();
            return Optional.empty();
          }
          // a statement of its own: its snapshot sees a version committed while this put waited
          db.update(c, "DELETE FROM {parts} WHERE key = ? AND id <> ?", key.value(), id);
          return Optional.of(new BlobInfo(key, size, written.get(0)));
        });
  }

  /** Reads until {@code buf} is full or the stream ends; the caller's failures name the key. */
  private int fill(InputStream content, byte[] buf, BlobKey key) throws KlioException {
    try {
      return content.readNBytes(buf, 0, buf.length);
    } catch (KlioException e) {
      throw e;
    } catch (IOException e) {
      throw new PermanentException(
          "could not read the content to store as '" + key + "' in " + describe + ": " + e, e);
    }
  }

  @Override
  public InputStream get(BlobKey key) throws IOException {
    return get(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream get(BlobKey key, long offset, long length) throws IOException {
    BlobRanges.checkArguments(key, offset, length);
    Connection c = db.borrow("read", key);
    boolean healthy = true;
    try {
      db.update(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      Version v =
          db
              .query(
                  c,
                  "SELECT id, size, part_size FROM {objects} WHERE key = ?",
                  rs -> new Version(rs.getLong(1), rs.getLong(2), rs.getInt(3)),
                  key.value())
              .stream()
              .findFirst()
              .orElseThrow(() -> new BlobNotFoundException(key, describe));
      BlobRanges.checkOffset(key, offset, v.size(), describe);
      PartStream stream =
          new PartStream(
              c, key, v, offset, length > v.size() - offset ? v.size() : offset + length);
      c = null; // the stream gives it back when it is closed
      return stream;
    } catch (SQLException e) {
      healthy = false;
      throw db.classify(e, "read", key);
    } finally {
      if (c != null) {
        db.release(c, healthy);
      }
    }
  }

  @Override
  public Optional<BlobInfo> stat(BlobKey key) throws IOException {
    return db.run(
        "stat",
        key,
        c ->
            db
                .query(
                    c,
                    "SELECT size, modified FROM {objects} WHERE key = ?",
                    rs -> new BlobInfo(key, rs.getLong(1), instant(rs, 2)),
                    key.value())
                .stream()
                .findFirst());
  }

  @Override
  public BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys)
      throws IOException {
    BlobKey.checkPrefix(prefix);
    BlobPage.checkMaxKeys(maxKeys);
    // keys use only characters below U+007F, so the first string after every key with this
    // prefix is the prefix with its last character incremented
    int last = prefix.length() - 1;
    String upper =
        prefix.isEmpty() ? "\u007f" : prefix.substring(0, last) + (char) (prefix.charAt(last) + 1);
    List<BlobInfo> found =
        db.run(
            "list prefix '" + prefix + "'",
            null,
            c ->
                db.query(
                    c,
                    "SELECT key, size, modified FROM {objects}"
                        + " WHERE key >= ? AND key < ? AND key > ? ORDER BY key LIMIT ?",
                    rs -> new BlobInfo(BlobKey.of(rs.getString(1)), rs.getLong(2), instant(rs, 3)),
                    prefix,
                    upper,
                    startAfter.map(BlobKey::value).orElse(""),
                    maxKeys + 1L)); // one more, to know whether a next page exists
    if (found.size() <= maxKeys) {
      return new BlobPage(found, Optional.empty());
    }
    List<BlobInfo> page = found.subList(0, maxKeys);
    return new BlobPage(page, Optional.of(page.get(maxKeys - 1).key()));
  }

  @Override
  public void delete(BlobKey key) throws IOException {
    db.run(
        "delete",
        key,
        c -> {
          String sql = "DELETE FROM {objects} WHERE key = ? RETURNING id";
          for (long id : db.query(c, sql, rs -> rs.getLong(1), key.value())) {
            db.update(c, "DELETE FROM {parts} WHERE key = ? AND id = ?", key.value(), id);
          }
          return null;
        });
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public void close() {
    db.close();
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  /** Fetches one part at a time as the caller reads, in the transaction of its get. */
  private final class PartStream extends InputStream {
    private final Connection c;
    private final BlobKey key;
    private final Version version;
    private final long end;
    private long position;
    private byte[] part = new byte[0];
    private int inPart;
    private boolean healthy = true;
    private boolean closed;

    PartStream(Connection c, BlobKey key, Version version, long offset, long end) {
      this.c = c;
      this.key = key;
      this.version = version;
      this.position = offset;
      this.end = end;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("the stream of '" + key + "' in " + describe + " is closed");
      }
      if (len == 0) {
        return 0;
      }
      if (inPart == part.length) {
        if (position >= end) {
          return -1;
        }
        fetch();
      }
      int n = Math.min(len, part.length - inPart);
      System.arraycopy(part, inPart, b, off, n);
      inPart += n;
      return n;
    }

    private void fetch() throws IOException {
      long no = position / version.partSize();
      int from = (int) (position % version.partSize());
      int count = (int) Math.min(version.partSize() - from, end - position);
      try {
        List<byte[]> rows =
            db.query(
                c,
                "SELECT substring(data FROM ? FOR ?) FROM {parts}"
                    + " WHERE key = ? AND id = ? AND part_no = ?",
                rs -> rs.getBytes(1),
                from + 1,
                count,
                key.value(),
                version.id(),
                no);
        part = rows.isEmpty() ? new byte[0] : rows.get(0);
      } catch (SQLException e) {
        healthy = false;
        throw db.classify(e, "read", key);
      }
      if (part.length != count) {
        throw new PermanentException(
            String.format(
                "part %d of '%s' in %s has %d of its %d bytes: the table was changed outside Klio",
                no, key, describe, part.length, count));
      }
      inPart = 0;
      position += count;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        db.release(c, healthy);
      }
    }
  }
}
