package io.klio.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help of every command and subcommand, as the real command line prints it: one-line summaries
 * that are whole sentences, a working {@code --help}, exit statuses that docs/cli.md lists too, and
 * unknown commands refused whatever follows them.
 */
class CommandHelpTest {

  private static final Path CLI_MD = Path.of("..", "docs", "cli.md");

  @RegisterExtension final CapturedConsole console = new CapturedConsole();

  /** Every command line under {@code klio}, itself first, by its path ("" for klio itself). */
  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> all = new LinkedHashMap<>();
    collect("", Main.commandLine(), all);
    return all;
  }

  private static void collect(String path, CommandLine c, Map<String, CommandLine> all) {
    all.put(path, c);
    c.getSubcommands()
        .forEach((name, sub) -> collect(path.isEmpty() ? name : path + " " + name, sub, all));
  }

  /** The line picocli shows for a command in its parent's command list. */
  private static String summary(CommandSpec spec) {
    String[] header = spec.usageMessage().header();
    String[] description = spec.usageMessage().description();
    String s = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
    return s.replace("%%", "%");
  }

  private static String collapse(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  @Test
  void everySummaryIsAWholeSentence() {
    Map<String, CommandLine> all = commands();
    assertThat(all.keySet())
        .contains(
            "server start",
            "send-wal",
            "get-wal",
            "receive-wal",
            "keys show",
            "tls init",
            "backup",
            "backup run",
            "backup list",
            "backup show",
            "backup verify",
            "backup delete",
            "plugin serve");
    for (Map.Entry<String, CommandLine> e : all.entrySet()) {
      String what = "klio " + e.getKey();
      String s = summary(e.getValue().getCommandSpec());
      assertThat(s).as(what).matches("[A-Z].*[^ .]\\.");
      assertThat(s.chars().filter(ch -> ch == '(').count())
          .as(what + ": parentheses closed in " + s)
          .isEqualTo(s.chars().filter(ch -> ch == ')').count());
      CommandLine parent = e.getValue().getParent();
      if (parent != null) {
        // what the parent's command list really shows: the whole sentence, wrapped
        String list = collapse(parent.getUsageMessage(CommandLine.Help.Ansi.OFF));
        assertThat(list).as(what).contains(e.getValue().getCommandName() + " " + collapse(s));
      }
    }
  }

  @Test
  void everyCommandHasHelpThatListsItsExitStatuses() {
    for (String path : commands().keySet()) {
      List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
      args.add("--help");
      console.reset();
      assertThat(Main.run(args.toArray(String[]::new))).as("klio " + path + " --help").isZero();
      assertThat(console.out())
          .as("klio " + path + " --help")
          .contains("Usage: klio")
          .contains("Exit status:")
          .contains("Documentation:");
    }
  }

  @Test
  void anUnknownCommandIsAUsageErrorWhateverFollowsIt() {
    for (String[] args :
        List.of(
            new String[] {"frobnicate"},
            new String[] {"frobnicate", "--help"},
            new String[] {"frobnicate", "--version"},
            new String[] {"--help", "frobnicate"})) {
      console.reset();
      assertThat(Main.run(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(console.err())
          .contains("klio: unknown command 'frobnicate'")
          .contains(
              "server, send-wal, get-wal, restore, receive-wal, keys, tls, backup, plugin, help");
      assertThat(console.out()).doesNotContain("Usage:");
    }
    console.reset();
    assertThat(Main.run("keys", "frobnicate", "--help")).isEqualTo(2);
    assertThat(console.err())
        .contains("klio keys: unknown command 'frobnicate'")
        .contains("generate-kek, generate, show");
    // an unknown option is still picocli's usual usage error
    console.reset();
    assertThat(Main.run("keys", "show", "--frobnicate")).isEqualTo(2);
    assertThat(console.err()).contains("Unknown option: '--frobnicate'");
  }

  private static final Pattern HEADING = Pattern.compile("^#+ .*?`klio((?: [a-z][-a-z]*)*)");
  private static final Pattern ROW = Pattern.compile("^\\| *([0-9]+) *\\|");

  /** docs/cli.md's exit status tables ({@code | exit | meaning |}), by the command they follow. */
  private static Map<String, TreeSet<Integer>> documentedExitStatuses() throws Exception {
    Map<String, TreeSet<Integer>> out = new LinkedHashMap<>();
    String section = null;
    boolean inTable = false;
    for (String line : Files.readAllLines(CLI_MD)) {
      Matcher h = HEADING.matcher(line);
      if (h.find()) {
        section = h.group(1).strip();
        inTable = false;
      } else if (line.startsWith("| exit |")) {
        assertThat(section).as("an exit table under a klio heading: " + line).isNotNull();
        assertThat(out).as("one exit table under " + section).doesNotContainKey(section);
        out.put(section, new TreeSet<>());
        inTable = true;
      } else if (inTable) {
        Matcher r = ROW.matcher(line);
        if (r.find()) {
          out.get(section).add(Integer.parseInt(r.group(1)));
        } else if (!line.startsWith("|")) {
          inTable = false;
        }
      }
    }
    return out;
  }

  @Test
  void docsListTheExitStatusesEachCommandHas() throws Exception {
    Map<String, TreeSet<Integer>> documented = documentedExitStatuses();
    Map<String, CommandLine> all = commands();
    assertThat(all.keySet()).as("documented commands that exist").containsAll(documented.keySet());
    for (Map.Entry<String, CommandLine> e : all.entrySet()) {
      // the command's own section, or the nearest one above it (klio keys for klio keys show)
      String section = e.getKey();
      while (!documented.containsKey(section)) {
        assertThat(section).as("a section of docs/cli.md for klio " + e.getKey()).isNotEmpty();
        section = section.contains(" ") ? section.substring(0, section.lastIndexOf(' ')) : "";
      }
      TreeSet<Integer> declared = new TreeSet<>();
      e.getValue()
          .getCommandSpec()
          .usageMessage()
          .exitCodeList()
          .keySet()
          .forEach(k -> declared.add(Integer.parseInt(k.strip())));
      assertThat(documented.get(section))
          .as("docs/cli.md (klio " + section + ") vs klio " + e.getKey() + " --help")
          .isEqualTo(declared);
    }
  }
}
