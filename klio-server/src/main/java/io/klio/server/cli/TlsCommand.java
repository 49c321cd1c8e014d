package io.klio.server.cli;

import io.klio.api.ClusterName;
import io.klio.api.io.DurableFiles;
import io.klio.server.tls.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code klio tls}: the certificates a Klio server and its clients need for mutual TLS, made with a
 * CA of their own. Layout of DIR: {@code ca.crt}, {@code ca.key}; {@code server/} and {@code
 * clients/<cluster>/}, each with {@code tls.crt}, {@code tls.key} and a copy of {@code ca.crt}: one
 * directory to copy to each host (or into a Kubernetes Secret).
 */
@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    description = {
      "Makes the TLS certificates that a Klio server and its clients need.",
      "The init command creates a CA, a server certificate and one client certificate per"
          + " cluster; add-client issues more client certificates with that CA. Private keys are"
          + " written mode 0600; nothing is overwritten without --force."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:written",
      TlsCommand.FAILED
          + ":nothing written: a file exists (see --force), the CA cannot be read, or a write"
          + " failed",
      Main.USAGE + ":usage error, such as a name that is neither a DNS name nor an IP address"
    },
    subcommands = {TlsCommand.Init.class, TlsCommand.AddClient.class})
public final class TlsCommand implements Runnable {

  static final int FAILED = 1;

  /** The port the hints print: the server's default. */
  private static final int PORT = 7433;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required: init or add-client; see klio tls --help");
  }

  abstract static class Writing implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "where the files are (see klio tls)")
    Path dir;

    @Option(
        names = "--cluster",
        required = true,
        split = ",",
        paramLabel = "CLUSTER",
        description =
            "a cluster to issue a client certificate for (CN = the cluster name, as client.yaml's"
                + " cluster); also an administrator's name for server.yaml's admins")
    List<String> clusters;

    @Option(
        names = "--days",
        defaultValue = "730",
        paramLabel = "DAYS",
        description = "how long the certificates are valid (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--force", description = "overwrite files that exist")
    boolean force;

    /** The files to write, by path, in order; secret ones (keys) are written mode 0600. */
    final Map<Path, String> files = new LinkedHashMap<>();

    final List<Path> secrets = new ArrayList<>();

    Duration validity() {
      if (days < 1) {
        throw new ParameterException(spec.commandLine(), "--days must be at least 1");
      }
      return Duration.ofDays(days);
    }

    List<ClusterName> clusterNames() {
      List<ClusterName> out = new ArrayList<>();
      for (String c : clusters) {
        try {
          out.add(ClusterName.of(c.strip()));
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--cluster: " + e.getMessage());
        }
      }
      return out;
    }

    void add(Path file, String content, boolean secret) {
      files.put(file, content);
      if (secret) {
        secrets.add(file);
      }
    }

    void addParty(Path partyDir, CertificateAuthority.Issued issued, CertificateAuthority ca) {
      add(partyDir.resolve("tls.crt"), issued.certificatePem(), false);
      add(partyDir.resolve("tls.key"), issued.keyPem(), true);
      add(partyDir.resolve("ca.crt"), ca.certificatePem(), false);
    }

    void addClients(CertificateAuthority ca, List<ClusterName> names, Duration validity) {
      for (ClusterName n : names) {
        addParty(clientDir(n), ca.issueClient(n, validity), ca);
      }
    }

    Path clientDir(ClusterName n) {
      return dir.resolve("clients").resolve(n.value());
    }

    /** Writes {@link #files}, or none of them (exit 1) when one exists and --force is not given. */
    int write() throws IOException {
      if (!force) {
        List<String> taken = new ArrayList<>();
        for (Path p : files.keySet()) {
          if (Files.exists(p)) {
            taken.add(p.toString());
          }
        }
        if (!taken.isEmpty()) {
          System.err.println(
              "klio tls: not overwriting "
                  + String.join(", ", taken)
                  + "; nothing was written (--force replaces them)");
          return FAILED;
        }
      }
      for (Map.Entry<Path, String> f : files.entrySet()) {
        writeFile(f.getKey(), f.getValue(), secrets.contains(f.getKey()));
      }
      return 0;
    }

    /** What was written where, one line each, the client directories after {@code wrote}. */
    void printWrote(PrintStream out, Map<String, String> wrote, List<ClusterName> names) {
      for (ClusterName n : names) {
        wrote.put("clients/" + n + "/", "for cluster " + n);
      }
      int width = wrote.keySet().stream().mapToInt(String::length).max().orElse(0);
      out.println("wrote to " + dir.toAbsolutePath() + ":");
      wrote.forEach((file, what) -> out.printf("  %-" + width + "s  %s%n", file, what));
    }

    void printClientHints(PrintStream out, List<ClusterName> names, String server) {
      for (ClusterName n : names) {
        Path d = clientDir(n).toAbsolutePath();
        out.println();
        out.println("client.yaml of cluster " + n + " (send-wal, get-wal):");
        out.println("  cluster: " + n);
        out.println("  server: " + server);
        out.println("  tls:");
        out.println("    certificate: " + d.resolve("tls.crt"));
        out.println("    key: " + d.resolve("tls.key"));
        out.println("    ca: " + d.resolve("ca.crt"));
      }
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Creates a CA, a server certificate and one client certificate per cluster.",
        "The server certificate names every --server-name (DNS names and IP addresses);"
            + " clients check the server against them. Each client certificate's subject is"
            + " CN=<cluster>, the one cluster the server lets it act for."
      })
  static final class Init extends Writing {
    @Option(
        names = "--server-name",
        required = true,
        split = ",",
        paramLabel = "NAME",
        description =
            "a DNS name or IP address clients reach the server by (client.yaml's server host or"
                + " tls.serverName)")
    List<String> serverNames;

    @Override
    public Integer call() throws IOException {
      Duration validity = validity();
      List<ClusterName> names = clusterNames();
      CertificateAuthority ca = CertificateAuthority.create();
      CertificateAuthority.Issued server;
      try {
        server = ca.issueServer(serverNames, validity);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--server-name: " + e.getMessage());
      }
      add(dir.resolve("ca.crt"), ca.certificatePem(), false);
      add(dir.resolve("ca.key"), ca.keyPem(), true);
      addParty(dir.resolve("server"), server, ca);
      addClients(ca, names, validity);
      int rc = write();
      if (rc != 0) {
        return rc;
      }
      PrintStream out = System.out;
      Path abs = dir.toAbsolutePath();
      Map<String, String> wrote = new LinkedHashMap<>();
      wrote.put("ca.crt, ca.key", "the CA; keep ca.key off the hosts (add-client needs it)");
      wrote.put("server/", "for the Klio server: " + String.join(", ", serverNames));
      printWrote(out, wrote, names);
      out.println();
      out.println("server.yaml:");
      out.println("  tls:");
      out.println("    certificate: " + abs.resolve("server/tls.crt"));
      out.println("    key: " + abs.resolve("server/tls.key"));
      out.println("    clientCa: " + abs.resolve("server/ca.crt"));
      printClientHints(out, names, hostPort(serverNames));
      out.println();
      out.println(
          "Copy each directory to its host and use the paths there; tls.key must be readable by"
              + " the OS user that runs the command (PostgreSQL's for get-wal).");
      return 0;
    }
  }

  @Command(
      name = "add-client",
      mixinStandardHelpOptions = true,
      description = {
        "Issues client certificates with the CA that klio tls init wrote.",
        "Reads DIR/ca.crt and DIR/ca.key and writes DIR/clients/<cluster>/."
      })
  static final class AddClient extends Writing {
    @Override
    public Integer call() throws IOException {
      Duration validity = validity();
      List<ClusterName> names = clusterNames();
      CertificateAuthority ca;
      try {
        ca =
            CertificateAuthority.load(
                Files.readString(dir.resolve("ca.crt")), Files.readString(dir.resolve("ca.key")));
      } catch (NoSuchFileException e) {
        System.err.println(
            "klio tls add-client: "
                + e.getFile()
                + " does not exist; create a CA with klio tls init");
        return FAILED;
      } catch (IllegalArgumentException e) {
        System.err.println("klio tls add-client: " + dir + ": " + e.getMessage());
        return FAILED;
      }
      addClients(ca, names, validity);
      int rc = write();
      if (rc != 0) {
        return rc;
      }
      printWrote(System.out, new LinkedHashMap<>(), names);
      printClientHints(System.out, names, serverHint(dir.resolve("server/tls.crt")));
      return 0;
    }
  }

  /** {@code host:port} for client.yaml: the first name that is not a wildcard. */
  private static String hostPort(List<String> names) {
    for (String n : names) {
      String h = n.strip();
      if (!h.startsWith("*.")) {
        return (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + PORT;
      }
    }
    return "HOST:" + PORT;
  }

  /** {@code host:port} from the server certificate's names, when init wrote one into DIR. */
  private static String serverHint(Path serverCert) {
    try (InputStream in = Files.newInputStream(serverCert)) {
      X509Certificate c =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      List<String> names = new ArrayList<>();
      Optional.ofNullable(c.getSubjectAlternativeNames())
          .ifPresent(all -> all.forEach(n -> names.add(String.valueOf(n.get(1)))));
      return hostPort(names);
    } catch (IOException | CertificateException e) {
      return "HOST:" + PORT;
    }
  }

  /**
   * Writes one file atomically and durably, created with its final permissions (0600 for a key, so
   * that it is never readable by others, not even for a moment; 0644 for a certificate).
   */
  static void writeFile(Path target, String content, boolean secret) throws IOException {
    Path abs = target.toAbsolutePath();
    DurableFiles.createDirectories(abs.getParent());
    var mode = PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--");
    Path tmp =
        abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.deleteIfExists(tmp);
    boolean moved = false;
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.setPosixFilePermissions(tmp, mode); // exact, whatever the umask
      DurableFiles.move(tmp, abs);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
