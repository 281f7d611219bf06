package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestCertificates.Authority;
import io.actorkv.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench against an HTTPS node: it trusts the CA file it is given, and only that. */
class BenchOverHttpsTest {

  @Test
  void anHttpsTargetIsBenchedWithItsCaFileAndRefusedWithAnotherCa(@TempDir Path data, @TempDir Path tls)
      throws IOException {
    Authority ca = Authority.create("bench CA");
    ca.issue("node").writeDirectory(tls);
    Path otherCa = Authority.create("another CA").writeCertificate(tls.resolve("other.crt"));
    Map<Setting, Object> settings = TestNodes.settings(data, null, List.of());
    settings.put(Setting.TLS_CERT, tls.resolve("tls.crt").toString());
    settings.put(Setting.TLS_KEY, tls.resolve("tls.key").toString());
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      KvClient kv = new KvClient(node.httpPort(), ca.trustingClient());
      Await.until(Duration.ofSeconds(30), () -> kv.put("default", "ready", "yes").statusCode() / 100 == 2);
      String target = "https://127.0.0.1:" + node.httpPort();
      ByteArrayOutputStream log = new ByteArrayOutputStream();

      BenchResult gets = run(log, "--target", target, "--ca-file", tls.resolve("ca.crt").toString(),
          "--workload", "get", "--keys", "50", "--connections", "2", "--duration", "1s", "--warmup", "200ms");

      String printed = log.toString(StandardCharsets.UTF_8);
      assertTrue(gets.count() > 0, printed);
      assertEquals(Map.of(), gets.errors(), printed);
      assertEquals(200, kv.get("default", "key-49").statusCode(), "the keys were loaded over https");
      ConnectException refused = assertThrows(ConnectException.class, () -> run(log, "--target", target,
          "--ca-file", otherCa.toString(), "--duration", "1s", "--warmup", "0s"));
      assertTrue(refused.getMessage().contains("cannot connect"), refused.getMessage());
    }
  }

  private static BenchResult run(ByteArrayOutputStream log, String... args) throws IOException {
    return new LoadRunner(BenchCommandTest.parse(args), new PrintStream(log, true, StandardCharsets.UTF_8), false).run();
  }
}
