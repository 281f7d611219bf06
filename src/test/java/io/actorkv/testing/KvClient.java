package io.actorkv.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** A real HTTP/1.1 client for one node's API, as a user's program would talk to it. */
public final class KvClient {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http;

  public KvClient(int port) {
    this.base = "http://127.0.0.1:" + port;
    this.http = HTTP;
  }

  /** A client of an HTTPS node that trusts (and perhaps presents a certificate) as {@code tls} says. */
  public KvClient(int port, SSLContext tls) {
    this.base = "https://127.0.0.1:" + port;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(tls)
        .build();
  }

  /** Percent-encodes a key as one path segment: '/', '%', spaces and non-ASCII included. */
  public static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public URI uri(String path) {
    return URI.create(base + path);
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
  }

  public HttpResponse<String> put(String ns, String key, String value, String... headers) {
    return send("PUT", "/v1/kv/" + ns + "/" + encode(key), value, headers);
  }

  public HttpResponse<String> get(String ns, String key, String... headers) {
    HttpRequest.Builder b = request("/v1/kv/" + ns + "/" + encode(key)).GET();
    if (headers.length > 0) b.headers(headers);
    return send(b.build());
  }

  public HttpResponse<String> delete(String ns, String key, String... headers) {
    return send("DELETE", "/v1/kv/" + ns + "/" + encode(key), null, headers);
  }

  /** Any request: {@code body} null sends none; {@code headers} are name, value, name, value, ... */
  public HttpResponse<String> send(String method, String path, String body, String... headers) {
    HttpRequest.Builder b = request(path).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return send(b.build());
  }

  /** {@code PUT /v1/namespaces/{name}} with {@code definition} as its JSON body. */
  public HttpResponse<String> putNamespace(String name, String definition) {
    return send("PUT", "/v1/namespaces/" + name, definition);
  }

  public HttpResponse<String> send(HttpRequest request) {
    return send(request, HttpResponse.BodyHandlers.ofString());
  }

  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return http.sendAsync(request, handler);
  }

  public static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  /** The causal context an eventual namespace answered with. */
  public static String context(HttpResponse<?> r) {
    return r.headers().firstValue("X-KV-Context").orElseThrow(() -> new AssertionError("no X-KV-Context"));
  }

  public static long revision(HttpResponse<?> response) {
    return Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
  }
}
