package io.klio.server.cli;

import io.klio.api.error.PermanentException;
import io.klio.server.KlioServer;
import io.klio.server.config.ConfigException;
import io.klio.server.config.Logging;
import io.klio.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code klio server start}: runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Runs the Klio server, which keeps Tier 1 WAL archives behind the gRPC API.",
    subcommands = {ServerCommand.Start.class})
public final class ServerCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required: klio server start --config FILE");
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Starts the server with a configuration file and runs it until SIGTERM or SIGINT.",
        "The configuration is described in docs/configuration.md. On SIGTERM or SIGINT the"
            + " server stops accepting calls, flushes and acknowledges open WAL streams, and"
            + " exits."
      },
      exitCodeListHeading = KlioCommand.EXIT_HEADING,
      exitCodeList = {
        "0:stopped by SIGTERM or SIGINT",
        Start.FAILED + ":another failure, such as a listen address in use (the message says which)",
        Start.INVALID
            + ":invalid configuration, or the server cannot start with it (such as a key-encryption"
            + " key that does not open the key ring of Tier 1); usage error"
      })
  static final class Start implements Callable<Integer> {

    static final int FAILED = 1;
    static final int INVALID = 2;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "the server configuration (YAML)")
    Path config;

    @Override
    public Integer call() throws Exception {
      ServerConfig.Resolved c;
      try {
        c = ServerConfig.load(config);
      } catch (ConfigException e) {
        System.err.println("klio server: invalid configuration: " + e.getMessage());
        return INVALID;
      }
      Logging.configure(c.logFormat(), c.logLevel());
      KlioServer server;
      try {
        server = KlioServer.start(c, KlioVersion.version());
      } catch (PermanentException e) {
        // an invalid configuration (ConfigException), or one the server cannot start with, such as
        // a key-encryption key that does not open the key ring of Tier 1 (WrongKeyException)
        System.err.println("klio server: cannot start: " + e.getMessage());
        return INVALID;
      }
      UntilSignal.await("klio server", server, server::awaitTermination);
      return 0;
    }
  }
}
