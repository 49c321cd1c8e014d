package io.klio.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupServiceGrpc;
import io.klio.api.grpc.v1.FileEntry;
import io.klio.api.grpc.v1.FileKind;
import io.klio.api.grpc.v1.ManifestPart;
import io.klio.api.grpc.v1.ReadManifestRequest;
import io.klio.backup.DataFile;
import io.klio.backup.PgDataWalker;
import io.klio.client.BackupOptions;
import io.klio.client.KlioConnection;
import io.klio.server.cli.Main;
import io.klio.server.config.ClientConfig;
import io.klio.server.wal.KlioFixture;
import io.klio.testkit.postgres.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the backup ITs share: configuration, a client, the server's view of a backup. */
final class BackupFixtures {

  private BackupFixtures() {}

  /** A libpq connection string to {@code s} as the superuser, over TCP. */
  static String conn(PostgresServer s) {
    return "host=127.0.0.1 port="
        + s.port()
        + " user=postgres password="
        + s.password()
        + " dbname=postgres";
  }

  /**
   * Makes an encrypted Tier 1 (a KEK and a key ring) and returns the server.yaml lines that use it.
   */
  static String encryptedTier1(Path dir) {
    Path kek = dir.resolve("kek");
    assertThat(Main.run("keys", "generate-kek", "--out", kek.toString())).isZero();
    assertThat(
            Main.run(
                "keys",
                "generate",
                "--repository",
                dir.resolve("tier1").toUri().toString(),
                "--kek",
                "file:" + kek))
        .isZero();
    return "encryption:\n  kek: file:" + kek;
  }

  /** Writes a copy of the fixture's client.yaml for the PostgreSQL {@code s}, with backup:. */
  static Path clientYaml(KlioFixture klio, String name, PostgresServer s, String walTimeout)
      throws IOException {
    String base = Files.readString(klio.clientConfig());
    base =
        base.replaceAll(
            "(?m)^  connection: .*$", Matcher.quoteReplacement("  connection: " + conn(s)));
    Path p = klio.dir.resolve(name);
    Files.writeString(
        p,
        base
            + "backup:\n  pgdata: "
            + s.dataDirectory()
            + "\n  jobs: 2\n  label: klio test\n"
            + (walTimeout == null ? "" : "  walTimeout: " + walTimeout + "\n"));
    return p;
  }

  static KlioConnection connect(Path clientYaml) throws Exception {
    return KlioConnection.open(ClientConfig.load(clientYaml).client());
  }

  static BackupOptions options(Path clientYaml) throws Exception {
    ClientConfig.Resolved c = ClientConfig.load(clientYaml);
    ClientConfig.BackupSettings b = c.backup();
    return new BackupOptions(
        b.pgdata().orElseThrow(), c.connection(), b.jobs(), b.label(), b.fast(), b.walTimeout());
  }

  /** The entries of a committed backup, by path, as the server's ReadManifest streams them. */
  static TreeMap<String, FileEntry> manifest(KlioFixture klio, String backupId) throws Exception {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", klio.grpcPort)
            .overrideAuthority("localhost")
            .sslContext(
                GrpcSslContexts.forClient()
                    .keyManager(
                        klio.dir.resolve("client.crt").toFile(),
                        klio.dir.resolve("client.key").toFile())
                    .trustManager(klio.dir.resolve("ca.crt").toFile())
                    .build())
            .build();
    try {
      TreeMap<String, FileEntry> out = new TreeMap<>();
      Iterator<ManifestPart> it =
          BackupServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .readManifest(
                  ReadManifestRequest.newBuilder()
                      .setCluster(KlioFixture.CLUSTER)
                      .setBackupId(backupId)
                      .build());
      while (it.hasNext()) {
        ManifestPart p = it.next();
        for (FileEntry e : p.getEntries().getEntriesList()) {
          assertThat(out.put(e.getPath().toString(StandardCharsets.UTF_8), e))
              .as("one entry per path")
              .isNull();
        }
      }
      return out;
    } finally {
      ch.shutdownNow();
    }
  }

  /** What the walker finds in {@code pgdata} now: path → whether a directory. */
  static TreeMap<String, Boolean> walk(Path pgdata) throws IOException {
    TreeMap<String, Boolean> out = new TreeMap<>();
    try (PgDataWalker.Walk w = PgDataWalker.open(pgdata).walk()) {
      for (Optional<DataFile> f = w.next(); f.isPresent(); f = w.next()) {
        out.put(f.get().path(), f.get().isDirectory());
      }
    }
    return out;
  }

  /** The manifest's paths in the walker's form: path → whether a directory. */
  static TreeMap<String, Boolean> paths(TreeMap<String, FileEntry> manifest) {
    TreeMap<String, Boolean> out = new TreeMap<>();
    manifest.forEach((p, e) -> out.put(p, e.getKind() == FileKind.FILE_KIND_DIRECTORY));
    return out;
  }

  /** A counter or gauge of the server's /metrics (0 when absent). */
  static double metric(KlioFixture klio, String name) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
            .matcher(klio.metrics());
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /** Waits until a metric reaches {@code value} (at least, or at most when {@code down}). */
  static void awaitMetric(KlioFixture klio, String name, double value, boolean down, Duration max)
      throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (down ? metric(klio, name) > value : metric(klio, name) < value) {
      assertThat(System.nanoTime())
          .as(name + " reaching " + value + " (now " + metric(klio, name) + ")")
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Appends a line to a file. */
  static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardOpenOption.APPEND);
  }

  /** Waits until send-wal streams from {@code s} (its slot is active: it negotiated). */
  static void awaitStreaming(PostgresServer s) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!"t".equals(s.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'klio'"))) {
      assertThat(System.nanoTime()).as("send-wal streaming").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Runs the command line in this JVM: its status, a line break, its stdout, then its stderr. */
  static synchronized String cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return status
        + "\n"
        + stdout.toString(StandardCharsets.UTF_8)
        + stderr.toString(StandardCharsets.UTF_8);
  }

  /** Waits until {@code standby} has replayed WAL up to {@code lsn}. */
  static void awaitReplay(PostgresServer standby, Lsn lsn) throws InterruptedException {
    awaitLsn(standby, "SELECT pg_last_wal_replay_lsn()", lsn, "standby replaying");
  }

  /** Waits until the archive holds {@code s}'s WAL up to {@code lsn} (slot klio's restart LSN). */
  static void awaitArchived(PostgresServer s, Lsn lsn) throws InterruptedException {
    awaitLsn(
        s,
        "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'",
        lsn,
        "WAL archived up to");
  }

  private static void awaitLsn(PostgresServer s, String query, Lsn lsn, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      String r = s.sql(query);
      if (!r.isEmpty() && !Lsn.parse(r).isBefore(lsn)) {
        return;
      }
      assertThat(System.nanoTime()).as(what + " " + lsn + " (now " + r + ")").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /**
   * {@code klio restore --config cfg --pgdata target more...} in this JVM, as the ./klio launcher
   * runs it (which the restore_command it writes names): as {@link #cli} returns it.
   */
  static String restore(Path cfg, Path target, String... more) {
    String before = System.getProperty("klio.launcher");
    System.setProperty(
        "klio.launcher", Path.of("..", "klio").toAbsolutePath().normalize().toString());
    try {
      java.util.List<String> args =
          new java.util.ArrayList<>(
              java.util.List.of(
                  "restore", "--config", cfg.toString(), "--pgdata", target.toString()));
      args.addAll(java.util.List.of(more));
      return cli(args.toArray(String[]::new));
    } finally {
      if (before == null) {
        System.clearProperty("klio.launcher");
      } else {
        System.setProperty("klio.launcher", before);
      }
    }
  }
}
