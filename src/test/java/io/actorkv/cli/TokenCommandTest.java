package io.actorkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.security.Tokens;
import io.actorkv.store.Principal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code actorkv token}: a secret only its owner reads, and tokens that a node with that secret accepts. */
class TokenCommandTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new TokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute(args);
    return new Run(code, out.toString().trim(), err.toString());
  }

  @Test
  void givenNewSecret_thenAFileOfItsOwnersOnlyWithA32ByteSecret_andNeverOverAnExistingOne(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("secret");

    assertEquals(0, run("--new-secret", file.toString()).code());

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(32, Tokens.readSecret(file).length);
    String first = Files.readString(file);
    Run again = run("--new-secret", file.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("exists already"), again.err());
    assertEquals(first, Files.readString(file));

    Run noDirectory = run("--new-secret", dir.resolve("no-such-dir/secret").toString());
    assertEquals(2, noDirectory.code(), noDirectory.err());
    assertEquals("actorkv token: cannot write " + dir.resolve("no-such-dir/secret") + ": no such file or directory",
        noDirectory.err().strip());
  }

  /** A secret every user may read lets them mint any token: warned of, by the command and a node that loads it. */
  @Test
  void aSecretReadableByOthersIsWarnedOf(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret");
    run("--new-secret", file.toString());
    assertEquals(Optional.empty(), Tokens.exposure(file));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r-----"));
    assertEquals(Optional.empty(), Tokens.exposure(file), "a group, as an fsGroup makes of a Secret's 0400");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(Tokens.exposure(file).orElseThrow().contains("readable by every user"));
    Run minted = run("--secret-file", file.toString(), "--subject", "alice");
    assertEquals(0, minted.code(), minted.err());
    assertTrue(minted.err().contains("warning: the secret file " + file + " is readable"), minted.err());
  }

  @Test
  void givenASecret_thenTheMintedTokenCarriesSubjectAndRolesAndExpires(@TempDir Path dir) {
    Path file = dir.resolve("secret");
    run("--new-secret", file.toString());

    Run minted = run("--secret-file", file.toString(), "--subject", "alice", "--role", "root", "--role", "ops",
        "--ttl", "2h");

    assertEquals(0, minted.code(), minted.err());
    Tokens tokens = Tokens.load(new Tokens.Settings(Optional.of(file), Optional.empty(), Optional.empty(),
        Optional.empty(), Duration.ofSeconds(30), "roles", 10), Clock.systemUTC());
    assertEquals(new Principal("alice", List.of("root", "ops")), tokens.verify(minted.out()).principal());
    Tokens later = Tokens.load(new Tokens.Settings(Optional.of(file), Optional.empty(), Optional.empty(),
        Optional.empty(), Duration.ofSeconds(30), "roles", 10),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(2).plusMinutes(1)));
    try {
      later.verify(minted.out());
      throw new AssertionError("a token past its ttl was accepted");
    } catch (Tokens.InvalidToken expected) {
      assertTrue(expected.getMessage().contains("xpired"), expected.getMessage());
    }
  }

  @Test
  void givenNoSubjectOrABadTtlOrAShortSecret_thenExit2WithTheReason(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret");
    run("--new-secret", file.toString());
    Path shortSecret = Files.writeString(dir.resolve("short"), "c2hvcnQ=");

    assertTrue(run("--secret-file", file.toString()).err().contains("--subject"));
    assertTrue(run("--secret-file", file.toString(), "--subject", "a", "--ttl", "forever").err().contains("ttl"));
    Run tooShort = run("--secret-file", shortSecret.toString(), "--subject", "a");
    assertEquals(2, tooShort.code());
    assertTrue(tooShort.err().contains("at least 32"), tooShort.err());
  }
}
