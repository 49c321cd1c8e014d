package com.example.pgblob;

import io.klio.api.error.KlioException;
import io.klio.api.error.PermanentException;
import io.klio.api.error.RetryableException;
import io.klio.storage.BlobKey;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.postgresql.Driver;

/**
 * The JDBC side of a {@link PgBlobStore}, which has nothing to do with Klio: a pool of at most
 * {@code pool-size} connections (idle ones reused, failed ones dropped), one transaction per call,
 * statements that name the tables {@code {objects}} and {@code {parts}}, and the one place where
 * SQL failures become Klio's three kinds. Thread-safe.
 */
final class PgConnections {

  private static final long BORROW_TIMEOUT_SECONDS = 60;

  private final Driver driver = new Driver();
  private final String url;
  private final Properties properties;
  private final String table;
  private final String describe;
  private final int size;
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /** Work in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException, IOException;
  }

  /** One row of a result. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  PgConnections(String url, Properties properties, String table, int size, String describe) {
    this.url = url;
    this.properties = properties;
    this.table = table;
    this.describe = describe;
    this.size = size;
    this.permits = new Semaphore(size);
  }

  /** Runs {@code work} in one transaction on a pooled connection, committed when it returns. */
  <T> T run(String action, BlobKey key, Work<T> work) throws IOException {
    Connection c = borrow(action, key);
    boolean healthy = true;
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException e) {
      healthy = false;
      throw classify(e, action, key);
    } finally {
      release(c, healthy);
    }
  }

  <T> List<T> query(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params);
        ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row.read(rs));
      }
      return rows;
    }
  }

  void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, params)) {
      ps.executeUpdate();
    }
  }

  private PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    PreparedStatement ps =
        c.prepareStatement(sql.replace("{objects}", table).replace("{parts}", table + "_parts"));
    try {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  /** A connection with a transaction of its own; {@link #release} it. */
  Connection borrow(String action, BlobKey key) throws IOException {
    if (closed) {
      throw new PermanentException("could not " + action + ": " + describe + " is closed");
    }
    try {
      if (!permits.tryAcquire(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new RetryableException(
            String.format(
                "could not %s%s: all %d connections were busy for %d s (an open stream holds one"
                    + " until it is closed); try again, or raise pool-size",
                action, where(key), size, BORROW_TIMEOUT_SECONDS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableException("interrupted waiting for a connection to " + describe, e);
    }
    Connection c = idle.poll();
    try {
      if (c == null) {
        c = driver.connect(url, properties);
        c.setAutoCommit(false);
      }
      return c;
    } catch (SQLException e) {
      permits.release();
      throw classify(e, action, key);
    }
  }

  /** Gives a connection back to the pool, or closes it when it failed or the pool is closed. */
  void release(Connection c, boolean healthy) {
    try {
      if (healthy && !closed) {
        c.rollback(); // ends a transaction that did not commit; nothing when it did
        idle.add(c);
        c = null;
        if (closed) {
          drainIdle();
        }
      }
    } catch (SQLException e) {
      // not reused: closed below
    } finally {
      if (c != null) {
        closeQuietly(c);
      }
      permits.release();
    }
  }

  /** Closes the idle connections; the ones in use close when they come back. */
  void close() {
    closed = true;
    drainIdle();
  }

  private void drainIdle() {
    for (Connection c; (c = idle.poll()) != null; ) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // the server ends the session, and rolls it back, when the connection goes
    }
  }

  private String where(BlobKey key) {
    return (key == null ? "" : " '" + key + "'") + " in " + describe;
  }

  /** The one place where SQL failures become Klio's three kinds, naming the key and the store. */
  KlioException classify(SQLException e, String action, BlobKey key) {
    String state = Objects.requireNonNullElse(e.getSQLState(), "");
    String message =
        "could not " + action + where(key) + ": " + e.getMessage() + " (SQLSTATE " + state + ")";
    if (state.startsWith("08") // connection failures
        || state.startsWith("57P") // the server shuts down, or is starting up
        || state.equals("40001") // serialization failure
        || state.equals("40P01") // deadlock
        || state.equals("53300") // too many connections
        || state.equals("55P03")) { // lock not available
      return new RetryableException(message + "; try again", e);
    }
    if (state.startsWith("28")) {
      return new PermanentException(message + "; check the options user and password-file", e);
    }
    if (state.equals("42501")) {
      return new PermanentException(
          message + "; the role must own " + table + " and " + table + "_parts", e);
    }
    return new PermanentException(message, e);
  }
}
