package io.actorkv.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorkv.config.NodeConfig.Setting;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.RawHttp;
import io.actorkv.testing.TestCertificates.Authority;
import io.actorkv.testing.TestCertificates.Issued;
import io.actorkv.testing.TestNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS on the API and management ports from PEM files: the certificate a
 * connection sees, its rotation without a restart, and mutual TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsTest {

  Authority ca;
  Authority clients;
  Authority stranger;

  @BeforeAll
  void authorities() {
    ca = Authority.create("actorkv test CA");
    clients = Authority.create("actorkv test client CA");
    stranger = Authority.create("some other CA");
  }

  private static Map<Setting, Object> settings(Path dataDir, Path tls) {
    Map<Setting, Object> s = TestNodes.settings(dataDir, null, List.of());
    s.put(Setting.TLS_CERT, tls.resolve("tls.crt").toString());
    s.put(Setting.TLS_KEY, tls.resolve("tls.key").toString());
    return s;
  }

  private static void awaitServing(KvClient kv) {
    Await.until(Duration.ofSeconds(30), () -> kv.put("default", "ready", "yes").statusCode() / 100 == 2);
  }

  /** The certificate a new connection to {@code port} is shown. */
  private static Certificate presented(SSLContext client, int port) {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return socket.getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theApiAndManagementServeHttpsOnlyWithTheGivenCertificate(@TempDir Path data, @TempDir Path tls) {
    Issued certificate = ca.issue("node").writeDirectory(tls);
    Map<Setting, Object> settings = settings(data, tls);
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      KvClient kv = new KvClient(node.httpPort(), ca.trustingClient());
      awaitServing(kv);
      assertEquals(201, kv.put("default", "secret", "over tls").statusCode());
      assertEquals("over tls", kv.get("default", "secret").body());
      assertEquals(certificate.certificate(), presented(ca.trustingClient(), node.httpPort()));

      int management = (Integer) settings.get(Setting.MANAGEMENT_PORT);
      assertEquals(certificate.certificate(), presented(ca.trustingClient(), management));
      assertEquals(200, new KvClient(management, ca.trustingClient()).send("GET", "/alive", null).statusCode());

      assertThrows(UncheckedIOException.class, () -> new KvClient(node.httpPort()).get("default", "secret"),
          "plain HTTP must get no answer from an HTTPS port");
    }
  }

  @Test
  void aReplacedCertificateIsPresentedToNewConnectionsWithoutARestart(@TempDir Path data, @TempDir Path tls) {
    Issued first = ca.issue("node").writeDirectory(tls);
    Map<Setting, Object> settings = settings(data, tls);
    int management = (Integer) settings.get(Setting.MANAGEMENT_PORT);
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      KvClient kv = new KvClient(node.httpPort(), ca.trustingClient());
      awaitServing(kv);
      assertEquals(first.certificate(), presented(ca.trustingClient(), node.httpPort()));

      Issued second = ca.issue("node").writeDirectory(tls);

      Await.until(Duration.ofSeconds(10),
          () -> second.certificate().equals(presented(ca.trustingClient(), node.httpPort())));
      assertEquals(second.certificate(), presented(ca.trustingClient(), management));
      assertEquals(200, kv.get("default", "ready").statusCode());
    }
  }

  @Test
  void filesThatDoNotFitTogetherLeaveThePreviousCertificateInUse(@TempDir Path data, @TempDir Path tls) {
    Issued first = ca.issue("node").writeDirectory(tls);
    try (Node node = TestNodes.start(settings(data, tls), ConfigFactory.empty())) {
      awaitServing(new KvClient(node.httpPort(), ca.trustingClient()));

      ca.issue("node").writeCertificate(tls.resolve("tls.crt")); // its key is not written: a rotation caught halfway

      assertEquals(first.certificate(), presented(ca.trustingClient(), node.httpPort()));
      assertEquals(200, new KvClient(node.httpPort(), ca.trustingClient()).get("default", "ready").statusCode());
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsTheNodeAtStartNamingTheFiles(@TempDir Path data, @TempDir Path tls) {
    ca.issue("node").writeDirectory(tls);
    ca.issue("other").writeKey(tls.resolve("tls.key"));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> TestNodes.start(settings(data, tls), ConfigFactory.empty()));

    assertTrue(refused.getMessage().contains("is not the key of the first certificate in " + tls.resolve("tls.crt")),
        refused.getMessage());
  }

  @Test
  void withAClientCaOnlyClientsPresentingACertificateItIssuedGetAnAnswer(@TempDir Path data, @TempDir Path tls) {
    ca.issue("node").writeDirectory(tls);
    Map<Setting, Object> settings = settings(data, tls);
    settings.put(Setting.TLS_CLIENT_CA, clients.writeCertificate(tls.resolve("clients.crt")).toString());
    try (Node node = TestNodes.start(settings, ConfigFactory.empty())) {
      KvClient admitted = new KvClient(node.httpPort(), clients.issue("alice").client(ca));
      awaitServing(admitted);
      HttpResponse<String> read = admitted.get("default", "ready");
      assertEquals(200, read.statusCode(), read.body());

      for (SSLContext refused : List.of(ca.trustingClient(), stranger.issue("mallory").client(ca))) {
        try (RawHttp raw = new RawHttp(refused.getSocketFactory(), node.httpPort())) {
          assertTrue(noAnswer(raw), "a client without a certificate from the client CA got an answer");
        }
        assertThrows(UncheckedIOException.class, () -> new KvClient(node.httpPort(), refused).get("default", "ready"));
      }

      int management = (Integer) settings.get(Setting.MANAGEMENT_PORT);
      assertEquals(200, new KvClient(management, ca.trustingClient()).send("GET", "/alive", null).statusCode(),
          "health probes carry no client certificate");
    }
  }

  /** Sends a request and reports whether the connection ended without a byte of answer. */
  private static boolean noAnswer(RawHttp raw) {
    try {
      raw.send("GET /v1/kv/default/ready HTTP/1.1\r\nHost: x\r\n\r\n");
    } catch (UncheckedIOException refusedWhileSending) {
      return true;
    }
    return raw.timeout(Duration.ofSeconds(10)).closedByServer();
  }
}
