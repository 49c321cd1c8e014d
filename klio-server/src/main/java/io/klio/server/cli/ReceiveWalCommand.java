package io.klio.server.cli;

import io.klio.api.Lsn;
import io.klio.api.error.KlioException;
import io.klio.server.config.Logging;
import io.klio.walstream.ConnectionSettings;
import io.klio.walstream.ConnectionStrings;
import io.klio.walstream.PgConnection;
import io.klio.walstream.PostgresException;
import io.klio.walstream.WalReceiver;
import io.klio.walstream.WalReceiverOptions;
import io.klio.walstream.sink.DirectoryWalSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code klio receive-wal}: pg_receivewal's options and behaviour, on klio-walstream. */
@Command(
    name = "receive-wal",
    sortOptions = false,
    versionProvider = KlioVersion.class,
    description = {
      "Streams WAL from a PostgreSQL server into a directory, as pg_receivewal does.",
      "The segment in progress is <segment>.partial; complete segments get their final names."
          + " It reconnects after errors unless --no-loop."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:--endpos reached, or stopped by SIGINT or SIGTERM",
      ReceiveWalCommand.FAILED
          + ":usage error; a failure waiting will not fix before anything was received (wrong"
          + " password, missing slot, WAL of another system in the directory); a lost"
          + " connection with --no-loop"
    },
    // as pg_receivewal: a usage error exits 1
    exitCodeOnInvalidInput = ReceiveWalCommand.FAILED)
public final class ReceiveWalCommand implements Callable<Integer> {

  @Option(
      names = {"-D", "--directory"},
      paramLabel = "DIR",
      description = "receive WAL files into this directory")
  Path directory;

  @Option(
      names = {"-d", "--dbname"},
      paramLabel = "CONNSTR",
      description = "connection string")
  String dbname;

  @Option(
      names = {"-h", "--host"},
      paramLabel = "HOSTNAME",
      description = "database server host or socket directory")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "database server port number")
  String port;

  @Option(
      names = {"-U", "--username"},
      paramLabel = "NAME",
      description = "connect as specified database user")
  String user;

  @Option(
      names = {"-S", "--slot"},
      paramLabel = "SLOTNAME",
      description = "replication slot to use")
  String slot;

  @Option(
      names = "--create-slot",
      description = "create a new replication slot (for the slot's name see --slot) and exit")
  boolean createSlot;

  @Option(
      names = "--drop-slot",
      description = "drop the replication slot (for the slot's name see --slot) and exit")
  boolean dropSlot;

  @Option(
      names = "--if-not-exists",
      description = "do not error if slot already exists when creating a slot")
  boolean ifNotExists;

  @Option(names = "--synchronous", description = "flush write-ahead log immediately after writing")
  boolean synchronous;

  @Option(
      names = {"-s", "--status-interval"},
      paramLabel = "SECS",
      defaultValue = "10",
      description = "time between status packets sent to server (default: ${DEFAULT-VALUE})")
  int statusInterval;

  @Option(
      names = {"-E", "--endpos"},
      paramLabel = "LSN",
      description = "exit after receiving the specified LSN")
  String endpos;

  @Option(
      names = {"-n", "--no-loop"},
      description = "do not loop on connection lost")
  boolean noLoop;

  @Option(
      names = {"-v", "--verbose"},
      description = "output verbose messages")
  boolean verbose;

  // pg_receivewal's -? and -V: -h is --host here, as there
  @Option(
      names = {"-?", "--help"},
      usageHelp = true,
      description = "show this help, then exit")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "output version information, then exit")
  boolean version;

  private static final String PROG = "klio receive-wal";

  static final int FAILED = 1;

  @Override
  public Integer call() throws Exception {
    Logging.configure(Logging.Format.TEXT, verbose ? "info" : "warn");
    if (createSlot && dropSlot) {
      return fail("cannot use --create-slot together with --drop-slot");
    }
    if ((createSlot || dropSlot) && slot == null) {
      return fail(
          (createSlot ? "--create-slot" : "--drop-slot")
              + " needs a slot to be specified using --slot");
    }
    if (!createSlot && !dropSlot && directory == null) {
      return fail("no target directory specified");
    }
    if (statusInterval < 0) {
      return fail("invalid status interval \"" + statusInterval + "\"");
    }
    ConnectionSettings settings;
    Optional<Lsn> end;
    try {
      Map<String, String> overrides = new HashMap<>();
      overrides.put("host", host);
      overrides.put("port", port);
      overrides.put("user", user);
      overrides.put("replication", "true");
      settings = ConnectionStrings.resolve(dbname, overrides);
      end = endpos == null ? Optional.empty() : Optional.of(Lsn.parse(endpos));
    } catch (IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    if (dropSlot || createSlot) {
      return manageSlot(settings);
    }
    WalReceiverOptions options =
        new WalReceiverOptions(
            Optional.ofNullable(slot), false, synchronous, Duration.ofSeconds(statusInterval), end);
    return stream(settings, options);
  }

  private int manageSlot(ConnectionSettings settings) {
    try (PgConnection c = PgConnection.connect(settings, true)) {
      if (dropSlot) {
        info("dropping replication slot \"" + slot + "\"");
        c.dropSlot(slot, true);
      } else {
        info("creating replication slot \"" + slot + "\"");
        try {
          c.createPhysicalSlot(slot, true);
        } catch (PostgresException e) {
          if (!(ifNotExists && e.sqlState().equals("42710"))) {
            throw e;
          }
          info("replication slot \"" + slot + "\" already exists");
        }
      }
      return 0;
    } catch (IOException e) {
      return fail(e.getMessage());
    }
  }

  private int stream(ConnectionSettings settings, WalReceiverOptions options)
      throws InterruptedException {
    DirectoryWalSink sink;
    try {
      sink = new DirectoryWalSink(directory);
    } catch (IOException e) {
      return fail("could not open directory \"" + directory + "\": " + e.getMessage());
    }
    WalReceiver receiver = new WalReceiver(settings, sink, options);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              receiver.stop();
              try {
                done.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "klio-receive-wal-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean everConnected = false;
    long backoffMillis = 1000;
    try {
      while (true) {
        try {
          WalReceiver.Outcome outcome = receiver.run();
          if (outcome == WalReceiver.Outcome.END_POSITION_REACHED) {
            info("end position " + options.endPosition().orElseThrow() + " reached");
          } else {
            info("received interrupt signal, exiting");
          }
          return 0;
        } catch (IOException e) {
          everConnected |= receiver.receivedLsn().isValid();
          System.err.println(PROG + ": error: " + e.getMessage());
          if (noLoop || !everConnected && isFatal(e)) {
            return FAILED;
          }
        }
        info("disconnected; waiting " + backoffMillis / 1000 + " seconds to try again");
        Thread.sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 30_000);
      }
    } finally {
      try {
        sink.close();
      } catch (IOException e) {
        System.err.println(PROG + ": error: could not close the WAL file: " + e.getMessage());
      }
      done.countDown();
    }
  }

  /** Failures that waiting will not fix, when they happen before anything was received. */
  private static boolean isFatal(IOException e) {
    if (e instanceof PostgresException pe) {
      return !pe.isTransient();
    }
    return e instanceof KlioException k && !k.isRetryable();
  }

  private void info(String message) {
    if (verbose) {
      System.err.println(PROG + ": " + message);
    }
  }

  private static int fail(String message) {
    System.err.println(PROG + ": error: " + message);
    System.err.println(PROG + ": hint: Try \"klio receive-wal --help\" for more information.");
    return FAILED;
  }
}
