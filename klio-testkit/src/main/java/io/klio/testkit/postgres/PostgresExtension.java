package io.klio.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that gives tests real PostgreSQL servers. Register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
 *
 * @Test void streams() {
 *   PostgresServer server = pg.start(PostgresConfig.of(18).withTls());  // closed after the test
 *   PostgresServer shared = pg.shared(PostgresConfig.of(15));         // closed after the class
 * }
 * }</pre>
 *
 * <p>When a test fails, the logs of the servers it used are copied to {@code
 * target/postgres-logs/<class>/<test>-<n>.log} before the servers are removed.
 */
public final class PostgresExtension
    implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private final List<PostgresServer> perTest = new ArrayList<>();
  private final Map<PostgresConfig, PostgresServer> perClass = new HashMap<>();
  private final Path logDir;
  private boolean anyFailed;

  public PostgresExtension() {
    this(Path.of("target", "postgres-logs"));
  }

  public PostgresExtension(Path logDir) {
    this.logDir = logDir;
  }

  /** A new server for the current test, stopped and removed after it. */
  public synchronized PostgresServer start(PostgresConfig config) {
    PostgresServer s = PostgresServer.start(config);
    perTest.add(s);
    return s;
  }

  /** Adopts a server made during the test (a standby, say) so that it is cleaned up with it. */
  public synchronized PostgresServer adopt(PostgresServer server) {
    perTest.add(server);
    return server;
  }

  /** The server for {@code config} shared by the tests of this class, started on first use. */
  public synchronized PostgresServer shared(PostgresConfig config) {
    return perClass.computeIfAbsent(config, PostgresServer::start);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    perTest.clear();
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    boolean failed = context.getExecutionException().isPresent();
    anyFailed |= failed;
    String name =
        context.getRequiredTestClass().getSimpleName() + "/" + sanitize(context.getDisplayName());
    List<PostgresServer> used = new ArrayList<>(perTest);
    if (failed) {
      used.addAll(perClass.values());
    }
    closeAll(perTest, failed ? name : null, used);
    perTest.clear();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    String name = context.getRequiredTestClass().getSimpleName() + "/shared";
    closeAll(perClass.values(), anyFailed ? name : null, new ArrayList<>(perClass.values()));
    perClass.clear();
  }

  private void closeAll(
      Iterable<PostgresServer> toClose, String logName, List<PostgresServer> logs) {
    if (logName != null) {
      int n = 0;
      for (PostgresServer s : logs) {
        try {
          s.copyLogTo(logDir.resolve(logName + "-" + n++ + "-pg" + s.major() + ".log"));
        } catch (IOException e) {
          throw new UncheckedIOException("could not keep the log of " + s, e);
        }
      }
    }
    for (PostgresServer s : toClose) {
      s.close();
    }
  }

  private static String sanitize(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]+", "_");
  }
}
