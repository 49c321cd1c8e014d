package io.klio.server.cli;

import io.klio.crypto.DataKey;
import io.klio.crypto.Kek;
import io.klio.crypto.Keks;
import io.klio.crypto.KeyRing;
import io.klio.crypto.KeyRingStore;
import io.klio.storage.BlobStore;
import io.klio.storage.BlobStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code klio keys}: a repository's key ring and the user's key-encryption key. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manages a repository's encryption keys and your key-encryption key.",
      "The repository's data keys live in a key ring wrapped by your key-encryption key (KEK):"
          + " file:/path (32 bytes, hex or base64; a mounted Secret), env:NAME,"
          + " passphrase-file:/path, passphrase-env:NAME, tink-keyset:/path."
    },
    exitCodeListHeading = KlioCommand.EXIT_HEADING,
    exitCodeList = {
      "0:done",
      "1:failure (a wrong KEK names the repository and the key's source)",
      Main.USAGE + ":usage error"
    },
    subcommands = {
      KeysCommand.GenerateKek.class,
      KeysCommand.Generate.class,
      KeysCommand.Show.class,
      KeysCommand.RotateKek.class,
      KeysCommand.RotateDataKey.class,
      KeysCommand.ReEncrypt.class
    })
public final class KeysCommand implements Runnable {

  @Option(
      names = "--repository",
      paramLabel = "URI",
      description = "the repository, such as file:///var/lib/klio",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String repository;

  @Option(
      names = "--kek",
      paramLabel = "SPEC",
      description = "the key-encryption key",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String kek;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required; see klio keys --help");
  }

  abstract static class RingCommand implements Callable<Integer> {
    @ParentCommand KeysCommand parent;

    BlobStore store() throws IOException {
      if (parent.repository == null) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--repository is required");
      }
      return BlobStores.open(parent.repository);
    }

    Kek kek() throws IOException {
      if (parent.kek == null) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--kek is required");
      }
      return Keks.open(parent.kek);
    }

    static void print(KeyRing ring) {
      System.out.println(
          "repository " + ring.repositoryId() + ", key ring version " + ring.version());
      for (DataKey k : ring.keys()) {
        System.out.printf(
            "  data key %-10s %-11s created %s%n",
            Integer.toUnsignedString(k.id()), k.state(), k.created());
      }
    }
  }

  @Command(
      name = "generate-kek",
      mixinStandardHelpOptions = true,
      description = "Writes a new random 256-bit KEK (base64) to a file, mode 0600.")
  static final class GenerateKek implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "the file to create (an existing file is not overwritten)")
    Path out;

    @Override
    public Integer call() throws IOException {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.createFile(
          out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          out, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.WRITE);
      System.out.println(
          "wrote a new key-encryption key to " + out + "; keep a copy somewhere safe");
      return 0;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = "Creates the key ring of a new repository.")
  static final class Generate extends RingCommand {
    @Override
    public Integer call() throws IOException {
      try (BlobStore s = store()) {
        print(new KeyRingStore(s).create(kek()));
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Lists the data keys (ids, states, dates; never key material).")
  static final class Show extends RingCommand {
    @Override
    public Integer call() throws IOException {
      try (BlobStore s = store()) {
        print(new KeyRingStore(s).load(kek()));
      }
      return 0;
    }
  }

  @Command(
      name = "rotate-kek",
      mixinStandardHelpOptions = true,
      description = "Re-wraps the key ring with a new KEK (the old one stops working).")
  static final class RotateKek extends RingCommand {
    @Option(
        names = "--new-kek",
        required = true,
        paramLabel = "SPEC",
        description = "the key-encryption key to wrap the key ring with from now on")
    String newKek;

    @Override
    public Integer call() throws IOException {
      try (BlobStore s = store()) {
        print(new KeyRingStore(s).rotateKek(kek(), Keks.open(newKek)));
      }
      return 0;
    }
  }

  @Command(
      name = "rotate-data-key",
      mixinStandardHelpOptions = true,
      description = "Makes new objects use a new data key; old objects stay readable.")
  static final class RotateDataKey extends RingCommand {
    @Override
    public Integer call() throws IOException {
      try (BlobStore s = store()) {
        print(new KeyRingStore(s).rotateDataKey(kek()));
      }
      return 0;
    }
  }

  @Command(
      name = "re-encrypt",
      mixinStandardHelpOptions = true,
      description = "Rewrites every object sealed with a data key, then drops that key.")
  static final class ReEncrypt extends RingCommand {
    @Option(
        names = "--key-id",
        required = true,
        paramLabel = "ID",
        description = "the data key to retire (see keys show)")
    String keyId;

    @Option(
        names = "--prefix",
        defaultValue = "",
        paramLabel = "PREFIX",
        description = "the part of the repository to rewrite (default: all of it)")
    String prefix;

    @Override
    public Integer call() throws IOException {
      try (BlobStore s = store()) {
        KeyRingStore rings = new KeyRingStore(s);
        long n = rings.reEncrypt(kek(), Integer.parseUnsignedInt(keyId), prefix);
        System.out.println("re-encrypted " + n + " objects");
        print(rings.load(kek()));
      }
      return 0;
    }
  }
}
