package io.klio.server.wal;

import io.grpc.stub.ServerCallStreamObserver;
import io.klio.api.ClusterName;
import io.klio.api.grpc.v1.StreamResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL streams of a server and which one streams for each cluster: the one place that holds
 * sessions and ends them. A newer stream of a cluster takes over from the one running (which ends
 * with {@code ABORTED} after what it received is fsynced); at shutdown every stream ends after what
 * it already received (written, fsynced, acknowledged, completed). Thread-safe.
 */
public final class StreamRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(StreamRegistry.class);

  private final Archives archives;
  private final Metrics metrics;
  private final Duration flushInterval;
  private final Map<ClusterName, StreamSession> active = new HashMap<>();

  /**
   * @param flushInterval without flush requests, WAL received is fsynced and acknowledged at least
   *     this often
   */
  public StreamRegistry(Archives archives, Metrics metrics, Duration flushInterval) {
    this.archives = archives;
    this.metrics = metrics;
    this.flushInterval = flushInterval;
  }

  /**
   * A session for a new stream, whose answers go to {@code out}.
   *
   * @param ownReader the stream's messages arrive on a thread that reads this stream only (the WAL
   *     socket's), which then handles every message itself when nothing is queued
   */
  StreamSession newSession(ServerCallStreamObserver<StreamResponse> out, boolean ownReader) {
    return new StreamSession(this, archives, metrics, out, flushInterval, ownReader);
  }

  /**
   * Makes {@code session} the stream of {@code cluster}; the one it replaces is ended first, and
   * waited for (up to 30 s), so that it no longer writes when this returns.
   */
  void take(ClusterName cluster, StreamSession session) {
    StreamSession old;
    synchronized (this) {
      old = active.put(cluster, session);
    }
    if (old != null && old != session) {
      LOG.info("cluster {}: a newer WAL stream replaces the current one", cluster);
      old.replace();
    }
  }

  /** {@code session} ended; a newer one that took over stays. */
  synchronized void release(ClusterName cluster, StreamSession session) {
    active.remove(cluster, session);
  }

  /**
   * Graceful shutdown: ends every stream after the messages it already received (written, fsynced,
   * acknowledged, then completed), waiting for each.
   */
  public void endAll() {
    List<StreamSession> all;
    synchronized (this) {
      all = new ArrayList<>(active.values());
    }
    for (StreamSession s : all) {
      s.end();
    }
  }
}
