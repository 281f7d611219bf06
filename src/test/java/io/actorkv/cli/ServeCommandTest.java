package io.actorkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.testing.FreePorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s options come from the settings table, one each, and reach the node's configuration typed. */
class ServeCommandTest {

  @Test
  void givenEveryKindOfOption_whenParsed_thenEachSettingHasItsTypedValue() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--http-port", "9000", "--data-dir", "/tmp/d", "--seed", "a:1", "--seed", "b:2",
        "--max-value-bytes", "2048", "--test-mode", "--db-url", "jdbc:postgresql://db/x", "--discovery", "kubernetes",
        "--required-contact-points", "3", "--log-format", "json");

    Map<Setting, Object> options = serve.options();

    assertEquals(9000, options.get(Setting.HTTP_PORT));
    assertEquals(Path.of("/tmp/d"), options.get(Setting.DATA_DIR));
    assertEquals(List.of("a:1", "b:2"), options.get(Setting.SEEDS));
    assertEquals(2048L, options.get(Setting.MAX_VALUE_BYTES));
    assertEquals(true, options.get(Setting.TEST_MODE));
    assertEquals("jdbc:postgresql://db/x", options.get(Setting.DB_URL));
    assertEquals("kubernetes", options.get(Setting.DISCOVERY));
    assertEquals(3, options.get(Setting.REQUIRED_CONTACT_POINTS));
    assertEquals("json", options.get(Setting.LOG_FORMAT));
    assertEquals(9, options.size(), "options not given are left to the environment and the files");
  }

  @Test
  void givenNoOptions_thenNoSettingIsGiven() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs();

    assertEquals(Map.of(), serve.options());
  }

  @Test
  void theHelpNamesEverySettingWithItsEnvironmentVariableAndDefault() {
    String help = new CommandLine(new ServeCommand()).getUsageMessage();

    for (Setting s : Setting.values()) {
      assertTrue(help.contains(s.option), s.option);
      assertTrue(help.replaceAll("\\s+", " ").contains(s.env), s.env);
    }
    assertTrue(help.contains("default 8080"), help);
  }

  @Test
  void givenSettingsThatCannotRunANode_whenServed_thenExit2WithAMessageAndNoNode() {
    assertRefused("no seeds", "--discovery", "kubernetes", "--seed", "10.0.0.1:25520", "--db-url", "jdbc:postgresql://db/x");
    assertRefused("--db-url", "--discovery", "kubernetes");
    assertRefused("not 'dns'", "--discovery", "dns");
    assertRefused("not 'yaml'", "--log-format", "yaml");
    assertRefused("only one is given", "--tls-cert", "README.md");
    assertRefused("give --tls-cert and --tls-key too", "--tls-client-ca", "README.md");
    assertRefused("cannot read", "--tls-cert", "no/such.crt", "--tls-key", "README.md");
    assertRefused("must hold tls.crt", "--cluster-tls-dir", "no/such/dir");
    assertRefused("--auth-secret-file FILE", "--http-host", "0.0.0.0");
    assertRefused("--insecure", "--http-host", "192.0.2.1");
    assertRefused("cannot read the master key file", "--master-key-file", "no/such.key");
    assertRefused("must hold base64", "--master-key-file", "README.md");
    assertRefused("needs a current one", "--previous-master-key-file", "README.md");
    assertRefused("must be a port from 0 (any free one) to 65535, not 99999", "--http-port", "99999");
    assertRefused("must be a port from 0", "--management-port", "-1");
    assertRefused("cannot read the secret file no/such.secret: no such file or directory",
        "--auth-secret-file", "no/such.secret");
    assertRefused("cannot create data directory", "--data-dir", "README.md");
  }

  /** A database out of reach at start is one line and exit 1; it was a 45-line stack trace of Flyway's. */
  @Test
  void aJournalDatabaseOutOfReachIsOneLineAndExit1(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err)).execute(
        "--db-url", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/nothing", "--data-dir", dir.toString(),
        "--http-port", "0", "--management-port", String.valueOf(FreePorts.next()),
        "--remote-port", String.valueOf(FreePorts.next()));

    assertEquals(1, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("actorkv serve: cannot use the journal's database: Connection to 127.0.0.1:"),
        err.toString());
  }

  /**
   * A data directory whose embedded journal another process runs is one
   * line and exit 1, naming what to do; it was a stack trace. The lock is
   * held here, as a node serving the directory holds it.
   */
  @Test
  void anEmbeddedJournalAnotherProcessRunsIsOneLineAndExit1(@TempDir Path dir) throws IOException {
    Path home = Files.createDirectories(dir.resolve("postgres"));
    try (FileChannel channel = FileChannel.open(home.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = channel.lock()) {
      StringWriter err = new StringWriter();
      int code = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err)).execute(
          "--data-dir", dir.toString(), "--http-port", "0", "--management-port", String.valueOf(FreePorts.next()),
          "--remote-port", String.valueOf(FreePorts.next()));

      assertEquals(1, code, err.toString());
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
      assertTrue(err.toString().startsWith("actorkv serve: another process runs the embedded journal of "),
          err.toString());
      assertTrue(held.isValid());
    }
  }

  private static void assertRefused(String expected, String... args) {
    StringWriter err = new StringWriter();
    CommandLine serve = new CommandLine(new ServeCommand()).setErr(new PrintWriter(err));

    int code = serve.execute(args);

    assertEquals(2, code, err.toString());
    assertTrue(err.toString().startsWith("actorkv serve: ") && err.toString().contains(expected), err.toString());
  }

  /** The README's configuration table is the settings' documentation: a setting missing there fails here. */
  @Test
  void theReadmeDocumentsEverySetting() throws IOException {
    String readme = Files.readString(Path.of("README.md"));

    for (Setting s : Setting.values()) {
      String row = readme.lines().filter(l -> l.startsWith("| `" + s.option)).findFirst()
          .orElseThrow(() -> new AssertionError("README.md has no row for " + s.option));
      assertTrue(row.contains("`" + s.env + "`"), row);
      assertTrue(row.contains("`" + s.path + "`"), row);
    }
  }
}
