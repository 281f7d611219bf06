package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Requests for etcd's v3 JSON gateway, byte for byte, and how its answers are judged. */
class EtcdProtocolTest {

  final EtcdProtocol etcd = new EtcdProtocol("127.0.0.1:2379", bytes("hello"));
  final RequestBytes out = new RequestBytes();

  @Test
  void putIsAPostOfTheBase64KeyAndValue() {
    etcd.encode(Op.WRITE, 7, out);

    String body = "{\"key\":\"a2V5LTc=\",\"value\":\"aGVsbG8=\"}";
    assertEquals("POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1:2379\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body, out.toString());
  }

  @Test
  void rangeIsAPostOfTheBase64Key() {
    etcd.encode(Op.READ, 12345, out);

    String body = "{\"key\":\"a2V5LTEyMzQ1\"}";
    assertEquals("POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1:2379\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body, out.toString());
  }

  @Test
  void encodingAgainReplacesThePreviousRequest() {
    etcd.encode(Op.WRITE, 12345, out);
    etcd.encode(Op.READ, 7, out);

    assertEquals(true, out.toString().endsWith("\r\n\r\n{\"key\":\"a2V5LTc=\"}"), out.toString());
    assertEquals(true, out.toString().startsWith("POST /v3/kv/range "), out.toString());
  }

  @Test
  void aRangeWithKvsIsAHit() {
    byte[] body = bytes("{\"header\":{\"revision\":\"5\"},\"kvs\":[{\"key\":\"a2V5LTc=\",\"value\":\"aGVsbG8=\"}],\"count\":\"1\"}");

    assertNull(etcd.judge(Op.READ, 200, body, body.length));
  }

  @Test
  void aRangeWithoutKvsIsNotFound() {
    byte[] body = bytes("{\"header\":{\"cluster_id\":\"1\",\"revision\":\"5\"}}");

    assertEquals("not_found", etcd.judge(Op.READ, 200, body, body.length));
  }

  @Test
  void onlyTheBodyUpToItsLengthIsSearched() {
    byte[] buffer = bytes("{\"header\":{}}\"kvs\" left over from a longer answer");

    assertEquals("not_found", etcd.judge(Op.READ, 200, buffer, "{\"header\":{}}".length()));
  }

  @Test
  void aPutIsOkWithAnyBodyAndOtherStatusesAreErrors() {
    byte[] body = bytes("{\"header\":{}}");

    assertNull(etcd.judge(Op.WRITE, 200, body, body.length));
    assertEquals("http_503", etcd.judge(Op.WRITE, 503, body, body.length));
    assertEquals("http_400", etcd.judge(Op.READ, 400, body, body.length));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
