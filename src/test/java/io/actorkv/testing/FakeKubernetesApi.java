package io.actorkv.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The part of a Kubernetes API server that Pekko's kubernetes-api discovery
 * uses: {@code GET /api/v1/namespaces/<ns>/pods?labelSelector=...} over
 * HTTPS, with a bearer token, answered with a PodList. Its certificate is
 * signed by a CA made at start (SAN ip:127.0.0.1), so clients trust it the
 * way pods do, through the service account's {@code ca.crt}. Any other
 * request is answered 404 and recorded, so a test can show that nodes call
 * nothing but what their Role allows. Until {@link #available} is set, the
 * list is answered 503, as an API server that is starting or overloaded.
 */
public final class FakeKubernetesApi implements AutoCloseable {

  private static final String PASSWORD = "changeit";

  private final String namespace;
  private final String labelSelector;
  private final int managementPort;
  private final String token = "token-" + Long.toHexString(System.nanoTime());
  private final Path caFile;
  private final Path tokenFile;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final List<String> podIps = new CopyOnWriteArrayList<>();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final AtomicInteger unavailableAnswers = new AtomicInteger();
  private final AtomicInteger podListAnswers = new AtomicInteger();
  private volatile boolean available;

  /**
   * @param dir where the CA certificate and the token file are written
   * @param managementPort the container port named {@code management} of every pod
   */
  public FakeKubernetesApi(Path dir, String namespace, String labelSelector, int managementPort) {
    this.namespace = namespace;
    this.labelSelector = labelSelector;
    this.managementPort = managementPort;
    try {
      Files.createDirectories(dir);
      caFile = dir.resolve("ca.crt");
      tokenFile = Files.writeString(dir.resolve("token"), token);
      Path serverStore = issueServerCertificate(dir);
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.setHttpsConfigurator(new HttpsConfigurator(sslContext(serverStore)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("fake Kubernetes API did not start", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The API answers the pod list from now on (503 until then). */
  public void available() {
    available = true;
  }

  /** A pod, Running, with this IP joins the list. */
  public void addPod(String ip) {
    podIps.add(ip);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The CA that signed the server's certificate, PEM: the pods' {@code ca.crt}. */
  public Path caFile() {
    return caFile;
  }

  /** The service account token the server expects as {@code Authorization: Bearer}. */
  public Path tokenFile() {
    return tokenFile;
  }

  public int unavailableAnswers() {
    return unavailableAnswers.get();
  }

  public int podListAnswers() {
    return podListAnswers.get();
  }

  /** Requests other than an authorised pod list of our namespace and selector: method, URI and why. */
  public List<String> unexpectedRequests() {
    return List.copyOf(unexpected);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
      if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        unexpected.add(request + " (no or wrong token)");
        respond(exchange, 401, status(401, "Unauthorized"));
        return;
      }
      String query = exchange.getRequestURI().getRawQuery();
      String selector = query == null || !query.startsWith("labelSelector=") ? null
          : URLDecoder.decode(query.substring("labelSelector=".length()), StandardCharsets.UTF_8);
      if (!exchange.getRequestMethod().equals("GET")
          || !exchange.getRequestURI().getPath().equals("/api/v1/namespaces/" + namespace + "/pods")
          || !labelSelector.equals(selector)) {
        unexpected.add(request);
        respond(exchange, 404, status(404, "NotFound"));
        return;
      }
      if (!available) {
        unavailableAnswers.incrementAndGet();
        respond(exchange, 503, status(503, "ServiceUnavailable"));
        return;
      }
      podListAnswers.incrementAndGet();
      respond(exchange, 200, podList());
    }
  }

  private String podList() {
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < podIps.size(); i++) {
      pods.add("""
          {"metadata":{"name":"actorkv-%d","namespace":"%s","labels":{"app":"actorkv"}},\
          "spec":{"containers":[{"name":"actorkv","ports":[{"name":"management","containerPort":%d,"protocol":"TCP"}]}]},\
          "status":{"phase":"Running","podIP":"%s","containerStatuses":[{"name":"actorkv","ready":false,\
          "state":{"running":{"startedAt":"2026-12-06T00:00:00Z"}}}]}}"""
          .formatted(i, namespace, managementPort, podIps.get(i)));
    }
    return "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":["
        + String.join(",", pods) + "]}";
  }

  private static String status(int code, String reason) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + reason
        + "\",\"code\":" + code + "}";
  }

  private static void respond(HttpExchange exchange, int code, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** A CA, and a key pair for 127.0.0.1 that it signs, with keytool; returns the server's PKCS12 store. */
  private Path issueServerCertificate(Path dir) throws Exception {
    Path ca = dir.resolve("ca.p12");
    Path serverStore = dir.resolve("server.p12");
    Path request = dir.resolve("server.csr");
    Path signed = dir.resolve("server.crt");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=actorkv-test-ca", "-ext", "bc:c=ca:true", "-keystore", ca.toString());
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", caFile.toString());
    keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=kubernetes", "-keystore", serverStore.toString());
    keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-file", request.toString());
    keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
        "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", "san=ip:127.0.0.1",
        "-ext", "eku=serverAuth");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", serverStore.toString(),
        "-file", caFile.toString());
    keytool("-importcert", "-alias", "server", "-keystore", serverStore.toString(), "-file", signed.toString());
    return serverStore;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed:\n" + out);
    }
  }

  private static SSLContext sslContext(Path store) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }

  /** Environment of a pod: where the API server is, as the kubelet sets it. */
  public Map<String, String> serviceEnvironment() {
    return Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", Integer.toString(port()));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
