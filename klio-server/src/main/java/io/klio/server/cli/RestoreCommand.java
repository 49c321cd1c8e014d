package io.klio.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.klio.api.Lsn;
import io.klio.api.error.KlioException;
import io.klio.api.error.RetryableException;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.backup.TablespaceMapping;
import io.klio.backup.recovery.RecoveryTarget;
import io.klio.backup.recovery.TargetAction;
import io.klio.backup.recovery.TargetTimeline;
import io.klio.client.KlioConnection;
import io.klio.client.RestoreClient;
import io.klio.client.RestoreReport;
import io.klio.client.RestoreRequest;
import io.klio.server.config.ClientConfig;
import io.klio.server.prefetch.PrefetchLauncher;
import io.klio.server.prefetch.Spool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code klio restore}: a base backup into a new data directory, ready for recovery. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a base backup from the Klio server into a new data directory, set up for"
          + " point-in-time recovery.",
      "Writes the files, backup_label, tablespace_map, backup_manifest, recovery.signal and the"
          + " recovery settings (restore_command, target) in postgresql.auto.conf; start"
          + " PostgreSQL on the directory to recover. Without --backup it chooses the newest"
          + " backup that ends before a time or LSN target, else the latest."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:restored and verified",
      RestoreCommand.FAILED
          + ":the copy failed (a corrupted or missing chunk, a wrong key, a directory that does"
          + " not verify); the partial directory must be removed",
      RestoreCommand.INVALID + ":invalid configuration or usage",
      RestoreCommand.REFUSED
          + ":refused before writing anything (a non-empty directory, no such backup, a target"
          + " the archive cannot reach, the backup's first WAL file missing, a refused"
          + " certificate)",
      RestoreCommand.UNREACHABLE + ":the server could not be reached or stopped answering"
    },
    exitCodeOnInvalidInput = RestoreCommand.INVALID,
    exitCodeOnExecutionException = RestoreCommand.FAILED)
public final class RestoreCommand implements Callable<Integer> {

  static final int FAILED = 1;
  static final int INVALID = 2;
  static final int REFUSED = 3;
  static final int UNREACHABLE = 4;

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "the client configuration (default: $KLIO_CLIENT_CONFIG, else /etc/klio/client.yaml)")
  Path config;

  @Option(
      names = "--pgdata",
      paramLabel = "DIR",
      required = true,
      description = "the data directory to create (new or empty)")
  Path pgdata;

  @Option(
      names = "--backup",
      paramLabel = "ID",
      description = "the backup to restore, or latest (default: chosen by the target)")
  String backup;

  static final class Target {
    @Option(names = "--target-time", paramLabel = "T", description = "a time with a zone")
    String time;

    @Option(names = "--target-lsn", paramLabel = "L", description = "a WAL location X/X")
    String lsn;

    @Option(names = "--target-xid", paramLabel = "X", description = "a transaction id")
    String xid;

    @Option(names = "--target-name", paramLabel = "N", description = "a restore point name")
    String name;

    @Option(
        names = "--target",
        paramLabel = "immediate",
        description = "immediate: stop as soon as the backup is consistent")
    String immediate;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  @Option(
      names = "--target-timeline",
      paramLabel = "latest|current|N",
      description = "the timeline to recover along (default: latest)")
  String timeline = "latest";

  @Option(
      names = "--target-inclusive",
      paramLabel = "true|false",
      arity = "0..1",
      fallbackValue = "true",
      description = "stop just after the target (true, the default) or just before it")
  boolean inclusive = true;

  @Option(
      names = "--target-action",
      paramLabel = "pause|promote|shutdown",
      description = "what PostgreSQL does at the target (default: pause)")
  String action = "pause";

  @Option(
      names = "--tablespace-mapping",
      paramLabel = "OLD=NEW",
      description = "restore the tablespace at OLD into NEW (\\= for a = in a name); repeatable")
  List<String> mappings = new ArrayList<>();

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description = "parallel writers (default: the number of processors)")
  Integer jobs;

  @Option(
      names = "--prefetch-wait",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "start the WAL prefetcher now, with the backup's first WAL files, and let it wait this"
              + " long for PostgreSQL to start on the directory (default: ${DEFAULT-VALUE}); 0: do"
              + " not start it (the first WAL file PostgreSQL asks for starts it)")
  long prefetchWait;

  @Option(
      names = "--output",
      paramLabel = "json",
      description = "json: print one JSON object on stdout instead of the text summary")
  String output;

  private final AtomicReference<BackupSummary> selected = new AtomicReference<>();

  @Override
  public Integer call() throws Exception {
    if (output != null && !output.equals("json")) {
      throw new ParameterException(spec.commandLine(), "--output takes json, not " + output);
    }
    Path file = GetWalCommand.configFile(config).toAbsolutePath();
    Optional<ClientConfig.Resolved> loaded = ClientConfig.loadForCommand(file, "klio restore");
    if (loaded.isEmpty()) {
      return INVALID;
    }
    ClientConfig.Resolved c = loaded.get();
    RestoreRequest request;
    try {
      request = request(file);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream err = System.err;
    AtomicBoolean writing = new AtomicBoolean();
    RestoreProgressLine progress = new RestoreProgressLine(err, System.console() != null);
    RestoreClient.Listener listener =
        new RestoreClient.Listener() {
          @Override
          public void selected(BackupSummary b) {
            selected.set(b);
            err.println(
                "klio restore: backup "
                    + b.getBackupId()
                    + " (ended "
                    + Instant.ofEpochMilli(b.getStopTimeMs())
                    + " at "
                    + Lsn.of(b.getEndLsn())
                    + ", "
                    + RestoreProgressLine.size(b.getDataBytes())
                    + " in "
                    + b.getFileCount()
                    + " files) into "
                    + request.dataDirectory().toAbsolutePath());
          }

          @Override
          public void copying(Path dataDirectory) {
            writing.set(true);
          }

          @Override
          public void progress(RestoreClient.Progress p) {
            progress.show(p);
          }

          @Override
          public void step(String what) {
            progress.end();
            err.println("klio restore: " + what);
          }
        };
    RestoreReport report;
    try (KlioConnection server = KlioConnection.open(c.client())) {
      report = server.restores().restore(request, listener);
    } catch (KlioException e) {
      progress.end();
      err.println("klio restore: " + e.getMessage());
      if (e instanceof RetryableException) {
        err.println(
            "klio restore: the Klio server at "
                + c.client().server()
                + " could not be reached or stopped answering"
                + (writing.get() ? "; remove " + request.dataDirectory() + " and try again" : ""));
        return UNREACHABLE;
      }
      return writing.get() ? FAILED : REFUSED;
    }
    progress.end();
    if (prefetchWait > 0 && c.prefetchAhead() > 0) {
      // not before the copy: the restore refuses a directory that holds anything it did not write
      startPrefetcher(report.dataDirectory(), file, Duration.ofSeconds(prefetchWait))
          .ifPresent(err::println);
    }
    if (output != null) {
      System.out.println(json(report, request));
    } else {
      System.out.println(text(report, request));
    }
    return 0;
  }

  /**
   * Starts the prefetcher of the restored directory's spool, so that it holds PostgreSQL's first
   * WAL files (the backup's, from its first one) and answers its first misses (history files)
   * without a JVM. Only when this user owns the directory and is not root: PostgreSQL's OS user
   * must be able to take the files it spools and to signal it. Failures only cost time later, and
   * are said.
   */
  private Optional<String> startPrefetcher(Path dataDirectory, Path config, Duration wait) {
    Path dir = dataDirectory.toAbsolutePath();
    try {
      String me = System.getProperty("user.name");
      String owner = Files.exists(dir) ? Files.getOwner(dir).getName() : me; // else it is made now
      if (me.equals("root")) {
        // PostgreSQL never runs as root: the directory is someone else's once it is handed over
        return Optional.of(
            "klio restore: the WAL prefetcher starts with PostgreSQL's first request (this"
                + " restore runs as root; a prefetcher started now would run as root too)");
      }
      if (!owner.equals(me)) {
        return Optional.of(
            "klio restore: the WAL prefetcher starts with PostgreSQL's first request ("
                + dir
                + " belongs to "
                + owner
                + ", not to "
                + me
                + ", who runs this restore)");
      }
      Spool spool = new Spool(dir.resolve(RestoreCommandLine.DEFAULT_SPOOL));
      String first = selected.get().getBeginWal();
      PrefetchLauncher.ensureRunningBefore(spool, config, dir, first, wait);
      return Optional.of(
          "klio restore: prefetching WAL from "
              + first
              + " into "
              + spool.dir()
              + " (log: "
              + spool.logFile().getFileName()
              + "), waiting up to "
              + wait.toSeconds()
              + " s for PostgreSQL to start");
    } catch (IOException e) {
      return Optional.of(
          "klio restore: could not start the WAL prefetcher (" + e + "); get-wal will start it");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private RestoreRequest request(Path configFile) {
    List<TablespaceMapping> m = new ArrayList<>();
    for (String s : mappings) {
      m.add(TablespaceMapping.parse(s));
    }
    RestoreRequest.Builder b =
        RestoreRequest.builder(pgdata, restoreCommand(launcher(), configFile))
            .backup(Optional.ofNullable(backup))
            .target(target())
            .timeline(TargetTimeline.parse(timeline))
            .inclusive(inclusive)
            .action(TargetAction.parse(action))
            .tablespaceMappings(m);
    if (jobs != null) {
      b.jobs(jobs);
    }
    return b.build();
  }

  private Optional<RecoveryTarget> target() {
    if (target == null) {
      return Optional.empty();
    }
    if (target.time != null) {
      return Optional.of(RecoveryTarget.time(target.time));
    }
    if (target.lsn != null) {
      return Optional.of(RecoveryTarget.lsn(target.lsn));
    }
    if (target.xid != null) {
      return Optional.of(RecoveryTarget.xid(target.xid));
    }
    if (target.name != null) {
      return Optional.of(RecoveryTarget.name(target.name));
    }
    if (!target.immediate.equals("immediate")) {
      throw new IllegalArgumentException(
          "--target takes immediate, not '" + target.immediate + "' (see --target-time etc.)");
    }
    return Optional.of(RecoveryTarget.immediate());
  }

  /**
   * The {@code restore_command} a restore writes: a segment the prefetcher already holds in {@code
   * pg_wal/klio-prefetch} is moved into place without a JVM, anything else is {@code get-wal
   * --prefetch} ({@link RestoreCommandLine}). The one place it is chosen.
   */
  static String restoreCommand(Path launcher, Path clientConfig) {
    return RestoreCommandLine.restoreCommand(
        launcher, clientConfig.toAbsolutePath(), RestoreCommandLine.DEFAULT_SPOOL);
  }

  /**
   * The {@code klio} launcher that PostgreSQL's restore_command runs: the one that started this
   * command ({@code -Dklio.launcher}, which ./klio sets), else {@code $KLIO_LAUNCHER}, else {@code
   * klio} from the PATH.
   */
  static Path launcher() {
    String p = System.getProperty("klio.launcher");
    if (p == null || p.isBlank()) {
      p = System.getenv("KLIO_LAUNCHER");
    }
    if (p != null && !p.isBlank()) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    // restore_command runs with PostgreSQL's environment, not this shell's: an absolute path
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "klio").toAbsolutePath().normalize();
      if (Files.isExecutable(candidate) && Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        "cannot tell which klio launcher PostgreSQL's restore_command should run: run klio"
            + " restore through the ./klio launcher, or set KLIO_LAUNCHER to its absolute path");
  }

  private static String text(RestoreReport r, RestoreRequest q) {
    StringBuilder b = new StringBuilder();
    b.append("Restored backup ")
        .append(r.backup().getBackupId())
        .append(" into ")
        .append(r.dataDirectory())
        .append(": ")
        .append(r.files())
        .append(" files, ")
        .append(RestoreProgressLine.size(r.bytes()))
        .append(String.format(" in %.1f s", r.elapsed().toMillis() / 1000.0))
        .append(", verified against its backup_manifest.\n");
    r.tablespaces()
        .forEach(
            (oid, d) -> b.append("Tablespace ").append(oid).append(": ").append(d).append('\n'));
    b.append("Recovery: ")
        .append(
            q.target()
                .map(t -> t.setting() + " = '" + t.value() + "'")
                .orElse("to the end of the archive"))
        .append(", then ")
        .append(q.action().value())
        .append(". Start PostgreSQL on ")
        .append(r.dataDirectory())
        .append(" to recover.");
    return b.toString();
  }

  private static String json(RestoreReport r, RestoreRequest q) throws Exception {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    BackupSummary b = r.backup();
    o.put("backup_id", b.getBackupId());
    o.put("data_directory", r.dataDirectory().toString());
    o.put("start_lsn", Lsn.of(b.getStartLsn()).toString());
    o.put("end_lsn", Lsn.of(b.getEndLsn()).toString());
    o.put("timeline", b.getEndTimeline());
    o.put("begin_wal", b.getBeginWal());
    o.put("end_wal", b.getEndWal());
    o.put("stop_time", Instant.ofEpochMilli(b.getStopTimeMs()).toString());
    o.put("files", r.files());
    o.put("bytes", r.bytes());
    o.put("chunks", r.chunks());
    o.put("manifest_files", r.manifestFiles());
    o.put("elapsed_seconds", r.elapsed().toMillis() / 1000.0);
    ObjectNode ts = o.putObject("tablespaces");
    r.tablespaces().forEach((oid, d) -> ts.put(oid, d.toString()));
    ObjectNode t = o.putObject("recovery");
    t.put("restore_command", q.restoreCommand());
    q.target().ifPresent(x -> t.put(x.setting(), x.value()));
    t.put("recovery_target_timeline", q.timeline().value());
    t.put("recovery_target_inclusive", q.inclusive());
    t.put("recovery_target_action", q.action().value());
    return m.writeValueAsString(o);
  }
}
