package io.actorkv.client;

import static io.actorkv.client.RequestBytes.ascii;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * ActorKV's v1 API: {@code PUT} and {@code GET /v1/kv/{ns}/key-<n>}. A write succeeds with 200 or
 * 201, a read with 200; anything else, including 404 for a key that was never loaded, is an error
 * named after its status.
 */
final class ActorKvProtocol implements TargetProtocol {

  static final String DEFAULT_NAMESPACE = "default";

  /** The header lines every request carries: Host, and Authorization when there is a token. */
  private final String headers;
  private final String namespace;
  private final byte[] putHead;
  private final byte[] putTail;
  private final byte[] getHead;
  private final byte[] getTail;

  ActorKvProtocol(String hostHeader, String namespace, byte[] value) {
    this(hostHeader, namespace, value, Optional.empty());
  }

  /** @param token sent as {@code Authorization: Bearer <token>} with every request */
  ActorKvProtocol(String hostHeader, String namespace, byte[] value, Optional<String> token) {
    this.headers = "Host: " + hostHeader + token.map(t -> "\r\nAuthorization: Bearer " + t).orElse("");
    this.namespace = namespace;
    String path = "/v1/kv/" + namespace + "/key-";
    this.putHead = ascii("PUT " + path);
    this.putTail = concat(ascii(" HTTP/1.1\r\n" + headers
        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + value.length + "\r\n\r\n"), value);
    this.getHead = ascii("GET " + path);
    this.getTail = ascii(" HTTP/1.1\r\n" + headers + "\r\n\r\n");
  }

  @Override
  public void encode(Op op, int key, RequestBytes out) {
    out.reset();
    if (op == Op.WRITE) {
      out.append(putHead).appendDecimal(key).append(putTail);
    } else {
      out.append(getHead).appendDecimal(key).append(getTail);
    }
  }

  @Override
  public String judge(Op op, int status, byte[] body, int bodyLength) {
    if (status == 200 || (op == Op.WRITE && status == 201)) return null;
    return TargetProtocol.httpError(status);
  }

  /**
   * Creates the namespace (strong) unless it is the built-in one; an existing
   * namespace, of either mode, is used as it is (409 says it exists otherwise).
   */
  @Override
  public void prepare(HttpConnection connection) throws IOException {
    if (namespace.equals(DEFAULT_NAMESPACE)) return;
    byte[] body = ascii("{\"mode\":\"strong\"}");
    RequestBytes request = new RequestBytes();
    request.append(ascii("PUT /v1/namespaces/" + namespace + " HTTP/1.1\r\n" + headers
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")).append(body);
    int status = connection.exchange(request.array(), request.length());
    if (status != 200 && status != 201 && status != 409) {
      throw new IOException("cannot create namespace '" + namespace + "': HTTP " + status + " "
          + new String(connection.body(), 0, connection.bodyLength(), StandardCharsets.UTF_8));
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
