package io.klio.server.cli;

import io.klio.api.error.PermanentException;
import io.klio.server.cnpg.PluginServer;
import io.klio.server.config.ClientConfig;
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

/** {@code klio plugin}: Klio as a CNPG-I plugin of CloudNativePG. */
@Command(
    name = "plugin",
    mixinStandardHelpOptions = true,
    description = "Serves Klio to CloudNativePG as a CNPG-I plugin.",
    subcommands = {PluginCommand.Serve.class})
public final class PluginCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this),
        "a subcommand is required: klio plugin serve --config FILE [--socket PATH]");
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Serves the CNPG-I plugin of a PostgreSQL instance on a unix socket until SIGTERM or"
            + " SIGINT.",
        "It runs next to PostgreSQL in a CloudNativePG pod, whose instance manager finds the"
            + " socket in /plugins. It offers Identity, WAL restore (restore_command), Backup"
            + " (base backups of backup.pgdata, else $PGDATA) and RestoreJobHooks (recovery into"
            + " that directory), from the Klio server of the client configuration over one"
            + " connection kept open; no WAL archiving through archive_command. With"
            + " --send-wal it also streams WAL to the server, as klio send-wal does, while"
            + " its PostgreSQL is the primary (the sidecar of every instance runs it; only"
            + " the primary's streams, and after a switchover or failover the new primary's"
            + " takes over). See docs/kubernetes.md."
      },
      exitCodeListHeading = KlioCommand.EXIT_HEADING,
      exitCodeList = {
        Serve.FAILED
            + ":the socket cannot be served (its directory is missing, a file there is no"
            + " socket, another process serves on it, no unix sockets on this platform); with"
            + " --send-wal, a WAL-streaming failure waiting will not fix (a certificate the"
            + " server refuses, another database system under this cluster name)",
        Serve.INVALID
            + ":invalid configuration (including TLS files that cannot be used) or socket name;"
            + " usage error",
        "130:stopped by SIGINT, after a clean shutdown (the JVM exits with 128 + 2)",
        "143:stopped by SIGTERM, after a clean shutdown (the JVM exits with 128 + 15)"
      })
  static final class Serve implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(Serve.class);

    static final int FAILED = 1;
    static final int INVALID = 2;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "the client configuration (YAML), as for get-wal and send-wal")
    Path config;

    @Option(
        names = "--socket",
        paramLabel = "PATH",
        defaultValue = "/plugins/" + PluginServer.NAME,
        description =
            "the unix socket to serve on; its file name must be the plugin's name (default:"
                + " ${DEFAULT-VALUE})")
    Path socket;

    @Option(
        names = "--send-wal",
        description =
            "also stream WAL to the server while this instance is the primary (postgres.* of"
                + " the configuration: connection, slot, synchronous)")
    boolean sendWal;

    @Override
    public Integer call() throws Exception {
      Path name = socket.getFileName();
      if (name == null || !name.toString().equals(PluginServer.NAME)) {
        System.err.println(
            "klio plugin serve: the socket must be named "
                + PluginServer.NAME
                + " (CloudNativePG names a plugin after its socket file), not "
                + socket);
        return INVALID;
      }
      Optional<ClientConfig.Resolved> loaded =
          ClientConfig.loadForCommand(config, "klio plugin serve");
      if (loaded.isEmpty()) {
        return INVALID;
      }
      PluginServer server;
      try {
        server = PluginServer.start(socket, loaded.get(), KlioVersion.version());
      } catch (PermanentException e) {
        System.err.println(
            "klio plugin serve: invalid configuration: " + config + ": " + e.getMessage());
        return INVALID;
      } catch (IOException e) {
        LOG.error("{}", e.getMessage());
        return FAILED;
      }
      if (!sendWal) {
        UntilSignal.await("klio plugin", server, server::awaitTermination);
        return 0;
      }
      WalSender sender;
      try {
        ClientConfig.Resolved c = loaded.get();
        sender =
            WalSender.open(
                c,
                ConnectionStrings.resolve(c.connection(), Map.of("replication", "true")),
                new SendWalReadiness(c.client()));
      } catch (PermanentException | IllegalArgumentException e) {
        System.err.println(
            "klio plugin serve: invalid configuration: " + config + ": " + e.getMessage());
        server.close();
        return INVALID;
      }
      Thread streaming =
          new Thread(
              () -> {
                try {
                  if (sender.run() == WalSender.Ending.PERMANENT) {
                    // loud: the sidecar exits (its shutdown hook closes the plugin cleanly),
                    // Kubernetes restarts it and shows why
                    LOG.error("klio plugin: WAL can no longer be streamed; stopping the plugin");
                    System.exit(FAILED);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "klio-plugin-send-wal");
      streaming.start();
      UntilSignal.await(
          "klio plugin",
          () -> {
            sender.stop();
            sender.close();
            server.close();
          },
          server::awaitTermination);
      return 0;
    }
  }
}
