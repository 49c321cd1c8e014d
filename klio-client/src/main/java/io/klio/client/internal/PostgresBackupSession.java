package io.klio.client.internal;

import io.klio.api.Lsn;
import io.klio.api.TimelineId;
import io.klio.api.error.PermanentException;
import io.klio.api.grpc.v1.Tablespace;
import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.PgConnection;
import io.klio.walstream.QueryResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL side of one backup: a normal session that reads the server's identity, runs {@code
 * pg_backup_start} and {@code pg_backup_stop} (non-exclusive, so the session stays open from one to
 * the other; closing it ends a backup still running in PostgreSQL), and reads what the manifest
 * needs. Not thread-safe: the backup's thread drives it.
 */
final class PostgresBackupSession implements AutoCloseable {

  /** What the backup checks and records of the server. */
  record Identity(long systemId, int serverVersionNum, int walSegmentSize, boolean inRecovery) {}

  /** What {@code pg_backup_stop} returned. */
  record Stopped(Lsn lsn, byte[] labelFile, byte[] tablespaceMap) {}

  private final PgConnection pg;

  private PostgresBackupSession(PgConnection pg) {
    this.pg = pg;
  }

  static PostgresBackupSession connect(String conninfo) throws IOException {
    PgConnection pg = PgConnection.connect(ConnectionStrings.resolve(conninfo, Map.of()), false);
    try {
      // the session is idle while the files are read: a server-wide limit must not end it
      pg.query(
          "SET statement_timeout = 0; SET idle_session_timeout = 0;"
              + " SET idle_in_transaction_session_timeout = 0");
      return new PostgresBackupSession(pg);
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  Identity identity() throws IOException {
    QueryResult r =
        one(
            "SELECT s.system_identifier, current_setting('server_version_num'),"
                + " i.bytes_per_wal_segment, pg_is_in_recovery()"
                + " FROM pg_control_system() s, pg_control_init() i");
    return new Identity(
        Long.parseLong(text(r, 0)),
        Integer.parseInt(text(r, 1)),
        Integer.parseInt(text(r, 2)),
        "t".equals(text(r, 3)));
  }

  /**
   * Checks that {@code pgdata} is the data directory of this server: its {@code global/pg_control}
   * names the same system identifier (the file starts with it, in the machine's byte order).
   */
  static void checkDataDirectory(Path pgdata, long systemId) throws IOException {
    Path control = pgdata.resolve("global").resolve("pg_control");
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    try (FileChannel ch = FileChannel.open(control, StandardOpenOption.READ)) {
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read the first 8 bytes
      }
    } catch (NoSuchFileException e) {
      throw new PermanentException(
          pgdata
              + " is not a PostgreSQL data directory (no global/pg_control): set backup.pgdata"
              + " to the data directory of the server that postgres.connection reaches");
    }
    long onDisk = b.flip().remaining() == 8 ? b.getLong() : 0;
    if (onDisk != systemId) {
      throw new PermanentException(
          pgdata
              + " is the data directory of database system "
              + Long.toUnsignedString(onDisk)
              + ", but postgres.connection reaches system "
              + Long.toUnsignedString(systemId)
              + ": backup.pgdata and postgres.connection must name the same server; nothing was"
              + " backed up");
    }
  }

  /** {@code pg_backup_start(label, fast)}: the backup's start LSN (its redo point). */
  Lsn start(String label, boolean fast) throws IOException {
    return Lsn.parse(text(one("SELECT pg_backup_start(" + literal(label) + ", " + fast + ")"), 0));
  }

  /** The timeline of the latest checkpoint (restartpoint on a standby) in pg_control. */
  TimelineId checkpointTimeline() throws IOException {
    return TimelineId.parse(text(one("SELECT timeline_id FROM pg_control_checkpoint()"), 0));
  }

  /**
   * The timeline the backup's end LSN is on: on a primary the current one (its latest
   * checkpoint's), on a standby the timeline of its minimum recovery point, which pg_backup_stop
   * returned as its end (as pg_basebackup records it).
   */
  TimelineId endTimeline(boolean standby) throws IOException {
    if (!standby) {
      return checkpointTimeline();
    }
    return TimelineId.parse(
        text(one("SELECT min_recovery_end_timeline FROM pg_control_recovery()"), 0));
  }

  /** {@code pg_backup_stop(wait_for_archive => false)}: the end, backup_label, tablespace_map. */
  Stopped stop() throws IOException {
    QueryResult r = one("SELECT lsn, labelfile, spcmapfile FROM pg_backup_stop(false)");
    return new Stopped(
        Lsn.parse(text(r, 0)),
        r.bytes(0, 1).orElse(new byte[0]),
        r.bytes(0, 2).orElse(new byte[0]));
  }

  /** The tablespaces other than pg_default and pg_global, with their locations. */
  List<Tablespace> tablespaces() throws IOException {
    QueryResult r =
        pg.query(
            "SELECT oid, pg_tablespace_location(oid) FROM pg_tablespace"
                + " WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY oid");
    List<Tablespace> out = new ArrayList<>();
    for (int i = 0; i < r.rows().size(); i++) {
      out.add(
          Tablespace.newBuilder()
              .setOid((int) Long.parseLong(text(r, i, 0)))
              .setLocation(r.text(i, 1).orElse(""))
              .build());
    }
    return out;
  }

  /** {@code pg_switch_wal()}: ends the current WAL segment (a primary only). */
  void switchWal() throws IOException {
    pg.query("SELECT pg_switch_wal()");
  }

  private QueryResult one(String sql) throws IOException {
    QueryResult r = pg.query(sql);
    if (r.rows().size() != 1) {
      throw new PermanentException(
          "PostgreSQL answered " + r.rows().size() + " rows to " + sql + "; expected one");
    }
    return r;
  }

  private static String text(QueryResult r, int column) throws PermanentException {
    return text(r, 0, column);
  }

  private static String text(QueryResult r, int row, int column) throws PermanentException {
    return r.text(row, column)
        .orElseThrow(
            () ->
                new PermanentException(
                    "PostgreSQL answered NULL for " + r.columns().get(column).name()));
  }

  /** A SQL string literal, whatever standard_conforming_strings is. */
  static String literal(String s) {
    return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** Ends the session; a backup still running in PostgreSQL ends with it. */
  @Override
  public void close() {
    try {
      pg.close();
    } catch (IOException ignored) {
      // the session is gone either way
    }
  }
}
