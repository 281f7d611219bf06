package io.actorkv.cli;

import io.actorkv.namespace.TtlSyntax;
import io.actorkv.security.Tokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code actorkv token}: makes the shared secret of HS256 tokens, and mints
 * tokens with it, for setups without an identity provider. Whoever holds
 * the secret file can mint any token, a root one included: that is how the
 * first admin comes to be (docs/security.md).
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    header = "Make a secret for tokens, or print a token signed with one.",
    description = {"Make a secret file (--new-secret FILE), or print a token signed with one:",
        "  actorkv token --new-secret secret",
        "  actorkv token --secret-file secret --subject alice --role root --ttl 1h",
        "Nodes verify such tokens with --auth-secret-file FILE. See docs/security.md."})
final class TokenCommand implements Callable<Integer> {

  @Option(names = "--new-secret", paramLabel = "FILE",
      description = "Write a new random secret (32 bytes, base64) to FILE, readable by its owner only; "
          + "FILE must not exist.")
  Path newSecret;

  @Option(names = "--secret-file", paramLabel = "FILE", description = "The secret to sign with.")
  Path secretFile;

  @Option(names = "--subject", paramLabel = "SUB", description = "Who the token acts for (its sub claim).")
  String subject;

  @Option(names = "--role", paramLabel = "ROLE",
      description = "A value of the role claim; repeat for several. 'root' is the built-in admin of everything.")
  List<String> roles = List.of();

  @Option(names = "--ttl", paramLabel = "TTL", defaultValue = "1h",
      description = "How long it is valid: 30m, 1h, 7d (default 1h).")
  String ttl;

  @Option(names = "--role-claim", paramLabel = "NAME", defaultValue = "roles",
      description = "The claim the roles go in (the nodes' actorkv.auth.role-claim; default roles).")
  String roleClaim;

  @Option(names = "--issuer", paramLabel = "ISS", description = "The iss claim, if the nodes check one.")
  String issuer;

  @Option(names = "--audience", paramLabel = "AUD", description = "The aud claim, if the nodes check one.")
  String audience;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    try {
      if (newSecret != null) {
        if (secretFile != null || subject != null) {
          err.println("actorkv token: --new-secret makes a secret only; mint tokens with it afterwards");
          return CommandLine.ExitCode.USAGE;
        }
        Tokens.newSecret(newSecret);
        err.println("wrote a new secret to " + newSecret + " (mode 600); give it to the nodes with "
            + "--auth-secret-file and mint the first admin's token with --role root");
        return 0;
      }
      if (secretFile == null || subject == null || subject.isBlank()) {
        err.println("actorkv token: give --secret-file FILE and --subject SUB (or --new-secret FILE)");
        return CommandLine.ExitCode.USAGE;
      }
      if (roles.stream().anyMatch(String::isBlank)) {
        err.println("actorkv token: --role must name a role, not be empty");
        return CommandLine.ExitCode.USAGE;
      }
      Duration valid = TtlSyntax.parse(ttl);
      Tokens.exposure(secretFile).ifPresent(warning -> err.println("actorkv token: warning: " + warning));
      spec.commandLine().getOut().println(Tokens.mint(Tokens.readSecret(secretFile), subject, roles, roleClaim, valid,
          Optional.ofNullable(issuer), Optional.ofNullable(audience), Clock.systemUTC()));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("actorkv token: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
  }
}
