package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code klio keys} against a real filesystem repository. */
class KeysCommandTest {

  @TempDir Path dir;
  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  private String run(String... args) {
    return console.run(args);
  }

  @Test
  void generateShowRotateAndReEncrypt() throws Exception {
    Path kek = dir.resolve("kek");
    Path kek2 = dir.resolve("kek2");
    String repo = dir.resolve("repo").toUri().toString();
    assertThat(run("keys", "generate-kek", "--out", kek.toString())).startsWith("0\n");
    assertThat(Files.getPosixFilePermissions(kek))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(run("keys", "generate-kek", "--out", kek2.toString())).startsWith("0\n");
    String kekText = Files.readString(kek).strip();

    String generated = run("keys", "generate", "--repository", repo, "--kek", "file:" + kek);
    assertThat(generated).startsWith("0\n").contains("ACTIVE").doesNotContain(kekText);
    String firstKey = dataKeyIds(generated)[0];

    String rotated = run("keys", "rotate-data-key", "--repository", repo, "--kek", "file:" + kek);
    assertThat(rotated).startsWith("0\n").contains(firstKey + " ").contains("RETIRED");

    assertThat(
            run(
                "keys",
                "rotate-kek",
                "--repository",
                repo,
                "--kek",
                "file:" + kek,
                "--new-kek",
                "file:" + kek2))
        .startsWith("0\n");
    String refused = run("keys", "show", "--repository", repo, "--kek", "file:" + kek);
    assertThat(refused)
        .startsWith("1\n")
        .contains("cannot open the key ring")
        .contains(kek.toString());
    assertThat(run("keys", "show", "--repository", repo, "--kek", "file:" + kek2))
        .startsWith("0\n")
        .contains("RETIRED");

    String reEncrypted =
        run(
            "keys",
            "re-encrypt",
            "--repository",
            repo,
            "--kek",
            "file:" + kek2,
            "--key-id",
            firstKey);
    assertThat(reEncrypted)
        .startsWith("0\n")
        .contains("re-encrypted 0 objects")
        .doesNotContain(firstKey + " ");
    assertThat(run("keys", "show", "--repository", repo))
        .startsWith("2\n")
        .contains("--kek is required");
  }

  private static String[] dataKeyIds(String listing) {
    Matcher m = Pattern.compile("data key (\\d+)").matcher(listing);
    java.util.List<String> ids = new java.util.ArrayList<>();
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids.toArray(String[]::new);
  }
}
