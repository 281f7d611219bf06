package io.actorkv.client;

import static io.actorkv.client.RequestBytes.ascii;

import java.util.Base64;

/**
 * etcd's v3 JSON gateway: {@code POST /v3/kv/put} with {@code {"key":"<base64>","value":"<base64>"}}
 * and {@code POST /v3/kv/range} with {@code {"key":"<base64>"}}. Any success is 200; a range of a
 * missing key is 200 too but has no {@code "kvs"}, and counts as the error {@code not_found}.
 * etcd has no namespaces, so keys are {@code key-<n>} at the root.
 *
 * <p>Not thread-safe: it reuses its key buffers, so each connection has its own.
 */
final class EtcdProtocol implements TargetProtocol {

  static final String NOT_FOUND = "not_found";

  private static final byte[] KVS = ascii("\"kvs\"");
  private static final byte[] KEY_PREFIX = ascii("key-");
  private static final byte[] KEY_OPEN = ascii("{\"key\":\"");
  private static final byte[] VALUE_OPEN = ascii("\",\"value\":\"");
  private static final byte[] CLOSE = ascii("\"}");

  private final byte[] putHead;
  private final byte[] rangeHead;
  private final byte[] headEnd = ascii("\r\n\r\n");
  private final byte[] valueBase64;
  private final Base64.Encoder base64 = Base64.getEncoder();
  /** {@code key-<n>} of each length, reused: one array per length so the encoder sees exact input. */
  private final byte[][] rawKeys = new byte[16][];
  private final byte[] keyBase64 = new byte[encodedLength(16)];

  EtcdProtocol(String hostHeader, byte[] value) {
    String headers = " HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/json\r\nContent-Length: ";
    this.putHead = ascii("POST /v3/kv/put" + headers);
    this.rangeHead = ascii("POST /v3/kv/range" + headers);
    this.valueBase64 = base64.encode(value);
  }

  @Override
  public void encode(Op op, int key, RequestBytes out) {
    int keyLength = base64.encode(rawKey(key), keyBase64);

    out.reset();
    if (op == Op.WRITE) {
      int bodyLength = KEY_OPEN.length + keyLength + VALUE_OPEN.length + valueBase64.length + CLOSE.length;
      out.append(putHead).appendDecimal(bodyLength).append(headEnd)
          .append(KEY_OPEN).append(keyBase64, 0, keyLength)
          .append(VALUE_OPEN).append(valueBase64).append(CLOSE);
    } else {
      int bodyLength = KEY_OPEN.length + keyLength + CLOSE.length;
      out.append(rangeHead).appendDecimal(bodyLength).append(headEnd)
          .append(KEY_OPEN).append(keyBase64, 0, keyLength).append(CLOSE);
    }
  }

  @Override
  public String judge(Op op, int status, byte[] body, int bodyLength) {
    if (status != 200) return TargetProtocol.httpError(status);
    if (op == Op.READ && !contains(body, bodyLength, KVS)) return NOT_FOUND;
    return null;
  }

  private byte[] rawKey(int key) {
    int length = KEY_PREFIX.length + RequestBytes.digits(key);
    byte[] raw = rawKeys[length];
    if (raw == null) {
      raw = rawKeys[length] = new byte[length];
      System.arraycopy(KEY_PREFIX, 0, raw, 0, KEY_PREFIX.length);
    }
    for (int i = length - 1, rest = key; i >= KEY_PREFIX.length; i--, rest /= 10) {
      raw[i] = (byte) ('0' + rest % 10);
    }
    return raw;
  }

  private static int encodedLength(int rawLength) {
    return 4 * ((rawLength + 2) / 3);
  }

  static boolean contains(byte[] haystack, int length, byte[] needle) {
    outer:
    for (int start = 0; start + needle.length <= length; start++) {
      for (int i = 0; i < needle.length; i++) {
        if (haystack[start + i] != needle[i]) continue outer;
      }
      return true;
    }
    return false;
  }
}
