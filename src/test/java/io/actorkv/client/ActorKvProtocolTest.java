package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Requests for ActorKV's v1 API and how its answers are judged. */
class ActorKvProtocolTest {

  final ActorKvProtocol actorKv = new ActorKvProtocol("127.0.0.1:8080", "orders", EtcdProtocolTest.bytes("hello"));
  final RequestBytes out = new RequestBytes();

  @Test
  void putSendsTheValueToTheKeysPath() {
    actorKv.encode(Op.WRITE, 42, out);

    assertEquals("PUT /v1/kv/orders/key-42 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nhello", out.toString());
  }

  @Test
  void getNamesTheKeyWithoutABody() {
    actorKv.encode(Op.READ, 0, out);

    assertEquals("GET /v1/kv/orders/key-0 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", out.toString());
  }

  @Test
  void givenAToken_thenEveryRequestCarriesItAsABearerToken() {
    new ActorKvProtocol("127.0.0.1:8080", "orders", EtcdProtocolTest.bytes("hi"), java.util.Optional.of("t.o.k"))
        .encode(Op.READ, 7, out);

    assertEquals("GET /v1/kv/orders/key-7 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer t.o.k\r\n\r\n",
        out.toString());
  }

  @Test
  void writesSucceedWith200Or201AndReadsWith200() {
    assertNull(actorKv.judge(Op.WRITE, 201, new byte[0], 0));
    assertNull(actorKv.judge(Op.WRITE, 200, new byte[0], 0));
    assertNull(actorKv.judge(Op.READ, 200, new byte[0], 0));
    assertEquals("http_404", actorKv.judge(Op.READ, 404, new byte[0], 0));
    assertEquals("http_503", actorKv.judge(Op.WRITE, 503, new byte[0], 0));
    assertEquals("http_201", actorKv.judge(Op.READ, 201, new byte[0], 0));
  }
}
