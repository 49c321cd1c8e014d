package io.klio.walstream;

import io.klio.api.Lsn;
import io.klio.api.SystemIdentifier;
import io.klio.api.TimelineId;
import io.klio.api.error.PermanentException;
import io.klio.walstream.ReplicationResults.IdentifySystem;
import io.klio.walstream.ReplicationResults.SlotState;
import io.klio.walstream.ReplicationResults.TimelineHistory;
import io.klio.walstream.protocol.BackendDecoder;
import io.klio.walstream.protocol.BackendMessage;
import io.klio.walstream.protocol.BackendMessage.*;
import io.klio.walstream.protocol.FrontendMessage;
import io.klio.walstream.protocol.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with a PostgreSQL server over protocol 3.0: a normal database connection or a
 * physical replication connection ({@code replication=true}). Runs simple queries and the
 * replication commands with typed results, and starts streaming.
 *
 * <p><b>Threading.</b> Not thread-safe, except that while a {@link ReplicationStream} is open one
 * thread may read it while another sends status updates. Close it when done: it sends Terminate.
 */
public final class PgConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private final ConnectionSettings settings;
  private final Transport transport;
  private final BackendDecoder decoder;
  private final Map<String, String> parameters = new HashMap<>();
  private int backendPid;
  private boolean closed;

  private PgConnection(ConnectionSettings settings, Transport transport) {
    this.settings = settings;
    this.transport = transport;
    this.decoder = new BackendDecoder(transport.in());
  }

  /** Connects and authenticates; {@code replication} asks for a physical walsender session. */
  public static PgConnection connect(ConnectionSettings settings, boolean replication)
      throws IOException {
    Transport t = Transport.open(settings);
    PgConnection c = new PgConnection(settings, t);
    try {
      c.startup(replication);
      return c;
    } catch (IOException | RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private void startup(boolean replication) throws IOException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", settings.user());
    params.put("database", replication ? "replication" : settings.database());
    params.put("application_name", settings.applicationName());
    params.put("client_encoding", "UTF8");
    if (replication) {
      params.put("replication", "true");
    }
    params.putAll(settings.options());
    send(new FrontendMessage.Startup(params));
    Authenticator auth = new Authenticator(settings, transport);
    while (true) {
      BackendMessage m = decoder.next();
      if (m instanceof Authentication a) {
        FrontendMessage reply = auth.answer(a);
        if (reply != null) {
          send(reply);
        }
      } else if (m instanceof ErrorResponse e) {
        throw new PostgresException("connection to " + describe() + " failed", e.fields());
      } else if (m instanceof BackendKeyData k) {
        backendPid = k.processId();
      } else if (m instanceof ReadyForQuery) {
        return;
      } else {
        handleAsync(m, "startup");
      }
    }
  }

  /**
   * Runs SQL (or a replication command) with the simple query protocol; returns the last result.
   */
  public QueryResult query(String sql) throws IOException {
    send(new FrontendMessage.Query(sql));
    List<Column> columns = List.of();
    List<List<Optional<byte[]>>> rows = new ArrayList<>();
    QueryResult last = new QueryResult(List.of(), List.of(), "");
    PostgresException error = null;
    while (true) {
      BackendMessage m = decoder.next();
      if (m instanceof RowDescription rd) {
        columns = rd.columns();
        rows = new ArrayList<>();
      } else if (m instanceof DataRow dr) {
        rows.add(dr.values());
      } else if (m instanceof CommandComplete cc) {
        last = new QueryResult(columns, rows, cc.tag());
        columns = List.of();
        rows = new ArrayList<>();
      } else if (m instanceof EmptyQueryResponse) {
        last = new QueryResult(List.of(), List.of(), "");
      } else if (m instanceof ErrorResponse e) {
        error = new PostgresException(firstLine(sql), e.fields());
      } else if (m instanceof ReadyForQuery) {
        if (error != null) {
          throw error;
        }
        return last;
      } else if (m instanceof CopyBothResponse
          || m instanceof CopyOutResponse
          || m instanceof CopyInResponse) {
        throw new ProtocolException("unexpected COPY in response to: " + firstLine(sql));
      } else {
        handleAsync(m, "query");
      }
    }
  }

  /** IDENTIFY_SYSTEM. */
  public IdentifySystem identifySystem() throws IOException {
    QueryResult r = expectOneRow(query("IDENTIFY_SYSTEM"), "IDENTIFY_SYSTEM", 4);
    return new IdentifySystem(
        SystemIdentifier.parse(r.text(0, 0).orElseThrow()),
        TimelineId.parse(r.text(0, 1).orElseThrow()),
        Lsn.parse(r.text(0, 2).orElseThrow()),
        r.text(0, 3));
  }

  /** SHOW a setting. */
  public String show(String setting) throws IOException {
    if (!setting.matches("[a-z_][a-z0-9_.]*")) {
      throw new IllegalArgumentException("invalid setting name \"" + setting + "\"");
    }
    return expectOneRow(query("SHOW " + setting), "SHOW " + setting, 1).text(0, 0).orElse("");
  }

  /** TIMELINE_HISTORY: the history file of {@code timeline} (which must be 2 or more). */
  public TimelineHistory timelineHistory(TimelineId timeline) throws IOException {
    QueryResult r = expectOneRow(query("TIMELINE_HISTORY " + timeline), "TIMELINE_HISTORY", 2);
    return new TimelineHistory(r.text(0, 0).orElseThrow(), r.bytes(0, 1).orElse(new byte[0]));
  }

  /** READ_REPLICATION_SLOT (PostgreSQL 15+): empty when the slot does not exist. */
  public Optional<SlotState> readReplicationSlot(String slot) throws IOException {
    QueryResult r =
        expectOneRow(query("READ_REPLICATION_SLOT " + checkSlot(slot)), "READ_REPLICATION_SLOT", 3);
    Optional<String> type = r.text(0, 0);
    if (type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new SlotState(
            slot, type.get(), r.text(0, 1).map(Lsn::parse), r.text(0, 2).map(TimelineId::parse)));
  }

  /** CREATE_REPLICATION_SLOT … PHYSICAL (RESERVE_WAL). */
  public void createPhysicalSlot(String slot, boolean reserveWal) throws IOException {
    query(
        "CREATE_REPLICATION_SLOT "
            + checkSlot(slot)
            + " PHYSICAL"
            + (reserveWal ? " (RESERVE_WAL)" : ""));
  }

  /** DROP_REPLICATION_SLOT, waiting for a slot in use to be released when {@code wait}. */
  public void dropSlot(String slot, boolean wait) throws IOException {
    query("DROP_REPLICATION_SLOT " + checkSlot(slot) + (wait ? " WAIT" : ""));
  }

  /** START_REPLICATION [SLOT s] PHYSICAL start TIMELINE t: the connection is now streaming. */
  public ReplicationStream startReplication(Optional<String> slot, Lsn start, TimelineId timeline)
      throws IOException {
    String cmd =
        "START_REPLICATION "
            + (slot.isPresent() ? "SLOT " + checkSlot(slot.get()) + " " : "")
            + "PHYSICAL "
            + start
            + " TIMELINE "
            + timeline;
    send(new FrontendMessage.Query(cmd));
    while (true) {
      BackendMessage m = decoder.next();
      if (m instanceof CopyBothResponse) {
        return new ReplicationStream(this);
      } else if (m instanceof ErrorResponse e) {
        PostgresException error = new PostgresException(cmd, e.fields());
        drainUntilReady();
        throw error;
      } else {
        handleAsync(m, "START_REPLICATION");
      }
    }
  }

  void drainUntilReady() throws IOException {
    while (!(decoder.next() instanceof ReadyForQuery)) {
      // skip
    }
  }

  BackendDecoder decoder() {
    return decoder;
  }

  /** Sends one message; safe to call from a second thread while another reads. */
  void send(FrontendMessage m) throws IOException {
    byte[] bytes = m.encode();
    OutputStream out = transport.out();
    synchronized (out) {
      out.write(bytes);
      out.flush();
    }
  }

  void handleAsync(BackendMessage m, String during) throws ProtocolException {
    if (m instanceof ParameterStatus ps) {
      parameters.put(ps.name(), ps.value());
    } else if (m instanceof NoticeResponse n) {
      LOG.info(
          "server notice: {} {}",
          n.fields().getOrDefault('S', ""),
          n.fields().getOrDefault('M', ""));
    } else if (m instanceof NotificationResponse || m instanceof NegotiateProtocolVersion) {
      LOG.debug("ignoring {}", m);
    } else {
      throw new ProtocolException(
          "unexpected " + m.getClass().getSimpleName() + " during " + during);
    }
  }

  private static QueryResult expectOneRow(QueryResult r, String cmd, int columns)
      throws ProtocolException {
    if (r.rows().size() != 1 || r.columns().size() < columns) {
      throw new ProtocolException(
          cmd
              + " returned "
              + r.rows().size()
              + " rows of "
              + r.columns().size()
              + " columns; expected 1 row of "
              + columns);
    }
    return r;
  }

  private static String checkSlot(String slot) {
    if (!SLOT_NAME.matcher(slot).matches()) {
      throw new IllegalArgumentException(
          "invalid replication slot name \""
              + slot
              + "\": use 1 to 63 lower-case letters, digits and underscores");
    }
    return slot;
  }

  private static String firstLine(String sql) {
    String s = sql.strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl) + " …";
  }

  /** Run-time parameters the server reported (server_version, integer_datetimes …). */
  public Map<String, String> parameters() {
    return Map.copyOf(parameters);
  }

  /** The server's major version, from its {@code server_version} parameter. */
  public int serverMajorVersion() throws PermanentException {
    String v = parameters.getOrDefault("server_version", "");
    try {
      return Integer.parseInt(v.split("[.\\s]")[0]);
    } catch (NumberFormatException e) {
      throw new PermanentException("cannot read the server version from \"" + v + "\"", e);
    }
  }

  public int backendPid() {
    return backendPid;
  }

  public ConnectionSettings settings() {
    return settings;
  }

  public boolean isTls() {
    return transport.isTls();
  }

  private String describe() {
    return settings.isUnixSocket()
        ? "socket \"" + settings.socketPath() + "\""
        : "server at \"" + settings.host() + "\", port " + settings.port();
  }

  /** Sends Terminate and closes the socket. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      send(FrontendMessage.Terminate.INSTANCE);
    } catch (IOException ignored) {
      // the connection may already be gone
    } finally {
      transport.close();
    }
  }
}
