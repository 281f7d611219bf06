package io.actorkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's own help: what {@code actorkv --help} and {@code -V} tell a new user. */
class MainTest {

  private static String out(String... args) {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute(args);
    assertEquals(0, code, String.join(" ", args));
    return out.toString();
  }

  @Test
  void everyCommandIsListedWithOneWholeSentence() {
    assertWholeSentences(out("--help"), List.of("serve", "audit", "backup", "restore", "verify-history", "token",
        "bench", "http-ceiling"));
    assertWholeSentences(out("audit", "--help"), List.of("verify", "checkpoint", "report"));
  }

  /** Each command's entry in the help's list, with the lines it wraps onto, is one sentence. */
  private static void assertWholeSentences(String help, List<String> commands) {
    List<String> lines = help.lines().toList();
    for (String command : commands) {
      int at = 0;
      while (at < lines.size() && !lines.get(at).startsWith("  " + command + " ")) at++;
      assertTrue(at < lines.size(), command + " is not listed:\n" + help);
      StringBuilder entry = new StringBuilder(lines.get(at).strip());
      while (++at < lines.size() && lines.get(at).startsWith("    ")) entry.append(' ').append(lines.get(at).strip());
      String text = entry.toString();
      assertTrue(text.endsWith(".") && text.indexOf(". ") < 0, "not one whole sentence: " + text + "\n" + help);
    }
  }

  @Test
  void everyCommandPrintsTheVersion() {
    String version = out("-V").strip();
    assertTrue(version.startsWith("ActorKV "), version);
    for (String command : List.of("serve", "token", "bench", "backup")) {
      assertEquals(version, out(command, "-V").strip(), command + " -V");
    }
    assertEquals(version, out("audit", "verify", "-V").strip());
  }

  /** Main's attributes are inherited (its version): a command without a description of its own would show Main's. */
  @Test
  void everyCommandHasADescriptionOfItsOwn() {
    CommandLine main = new CommandLine(new Main());
    List<String> mains = List.of(main.getCommandSpec().usageMessage().description());
    List<CommandLine> commands = new java.util.ArrayList<>(main.getSubcommands().values());
    for (int i = 0; i < commands.size(); i++) {
      CommandLine command = commands.get(i);
      commands.addAll(command.getSubcommands().values());
      assertTrue(!List.of(command.getCommandSpec().usageMessage().description()).equals(mains),
          command.getCommandName() + " shows Main's description");
    }
  }

  /** Input that cannot mean anything is refused with exit 2 and a reason, before a database is opened. */
  @Test
  void meaninglessInputIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
    assertRefused("--data-dir must name a directory, not be empty", "backup", "--data-dir", "", "--out",
        dir.resolve("b").toString());
    assertRefused("--data-dir must name a directory, not be empty", "restore", "--data-dir", "", "README.md");
    assertRefused("must be before until", "audit", "report", "--data-dir", dir.toString(),
        "--since", "2026-12-05", "--until", "2026-12-04");
    assertRefused("--role must name a role, not be empty", "token", "--secret-file", "README.md", "--subject",
        "alice", "--role", "");
    assertRefused("--timeout must be at least 1 second, not -5", "verify-history", "--format", "jepsen-etcd",
        "--timeout", "-5", "README.md");
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "nothing was made");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command that writes its reasons to System.err or to picocli's err. */
  private static synchronized void assertRefused(String reason, String... args) {
    PrintStream stderr = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute(args);
    } finally {
      System.setErr(stderr);
    }
    String said = bytes.toString(StandardCharsets.UTF_8) + err;
    assertEquals(2, code, String.join(" ", args) + ": " + said);
    assertTrue(said.contains(reason), String.join(" ", args) + ": " + said);
  }
}
