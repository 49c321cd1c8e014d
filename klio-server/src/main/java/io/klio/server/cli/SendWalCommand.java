package io.klio.server.cli;

import io.klio.api.error.PermanentException;
import io.klio.server.config.ClientConfig;
import io.klio.server.config.ConfigException;
import io.klio.server.config.Logging;
import io.klio.server.http.HealthEndpoints;
import io.klio.walstream.ConnectionSettings;
import io.klio.walstream.ConnectionStrings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code klio send-wal}: streams WAL from the primary next to it to the Klio server, reporting
 * flush to PostgreSQL only for what the server acknowledged as durable; reconnects with backoff
 * when either side restarts.
 */
@Command(
    name = "send-wal",
    mixinStandardHelpOptions = true,
    description = {
      "Streams WAL from the PostgreSQL primary to the Klio server.",
      "It streams through a replication slot (klio by default) and reports flush to PostgreSQL"
          + " only for WAL the server has fsynced, so a synchronous_standby_names entry for"
          + " 'klio' gives zero data loss. It reconnects with backoff when PostgreSQL or the"
          + " server restarts, and waits while PostgreSQL is a standby."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT",
      SendWalCommand.PERMANENT
          + ":a failure waiting will not fix (a certificate the server does not accept or that"
          + " is for another cluster, another database system under this cluster name)",
      SendWalCommand.INVALID + ":invalid configuration; usage error"
    })
public final class SendWalCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(SendWalCommand.class);

  static final int PERMANENT = 1;
  static final int INVALID = 2;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "the client configuration (YAML)")
  Path config;

  @Override
  public Integer call() throws Exception {
    ClientConfig.Resolved c;
    ConnectionSettings settings;
    try {
      c = ClientConfig.load(config);
      settings = ConnectionStrings.resolve(c.connection(), Map.of("replication", "true"));
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("klio send-wal: invalid configuration: " + e.getMessage());
      return INVALID;
    }
    Logging.configure(c.logFormat(), c.logLevel());
    SendWalReadiness readiness = new SendWalReadiness(c.client());
    HealthEndpoints health = null;
    if (c.healthListen().isPresent()) {
      try {
        health = HealthEndpoints.start(c.healthListen().get(), readiness, Optional.empty());
      } catch (IOException e) {
        System.err.println(
            "klio send-wal: cannot listen on "
                + c.healthListen().get().getHostString()
                + ":"
                + c.healthListen().get().getPort()
                + " (sendWal.healthListen): "
                + e.getMessage());
        return INVALID;
      }
      LOG.info("health endpoints on {} (/livez, /readyz)", health.url());
    }
    WalSender sender;
    try {
      sender = WalSender.open(c, settings, readiness);
    } catch (PermanentException e) {
      // TLS files that exist but cannot be used
      System.err.println("klio send-wal: invalid configuration: " + config + ": " + e.getMessage());
      if (health != null) {
        health.close();
      }
      return INVALID;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(sender::stop, "klio-send-wal-shutdown"));
    try {
      return sender.run() == WalSender.Ending.PERMANENT ? PERMANENT : 0;
    } finally {
      sender.close();
      if (health != null) {
        health.close();
      }
    }
  }
}
