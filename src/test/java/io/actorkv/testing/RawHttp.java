package io.actorkv.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;

/**
 * HTTP/1.1 spoken byte by byte over a plain socket, for requests that no
 * well-behaved client library would send: malformed framing, repeated
 * headers, dot segments as sent, bodies that stop halfway, headers that
 * trickle in. One connection per instance.
 */
public final class RawHttp implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer as it came off the wire; {@code headers} by lower-case name (the last of a repeated one). */
  public record Answer(int status, Map<String, String> headers, String body) {
    /** Whether the body is the API's JSON error: a JSON object with an {@code error} code. */
    public boolean isJsonError() {
      String type = header("Content-Type");
      if (type == null || !type.startsWith("application/json")) return false;
      try {
        return JSON.readTree(body).path("error").isTextual();
      } catch (IOException e) {
        return false;
      }
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(int port) {
    this(SocketFactory.getDefault(), port);
  }

  /** A connection made by {@code sockets}: TLS ones speak the same bytes inside TLS. */
  public RawHttp(SocketFactory sockets, int port) {
    try {
      socket = sockets.createSocket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one request exactly as written ({@code \n} is sent as CRLF in the head only by the caller's choice). */
  public static Answer exchange(int port, String request) {
    try (RawHttp http = new RawHttp(port)) {
      http.send(request);
      return http.read();
    }
  }

  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public RawHttp timeout(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one answer: status line, headers, and a body of Content-Length bytes (or up to the close). */
  public Answer read() {
    return read("GET");
  }

  /**
   * Reads the final answer to a {@code method} request: interim 1xx answers
   * are passed over, and answers that have no body by definition (to HEAD;
   * 204, 304) are read without one. A chunked body and an event stream
   * (which ends only when the client leaves) are left unread.
   */
  public Answer read(String method) {
    Answer answer;
    do {
      answer = readOne(method);
    } while (answer.status() >= 100 && answer.status() < 200);
    return answer;
  }

  private Answer readOne(String method) {
    try {
      String statusLine = line();
      if (statusLine == null) throw new AssertionError("the connection closed without an answer");
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String l = line(); l != null && !l.isEmpty(); l = line()) {
        int colon = l.indexOf(':');
        headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      String length = headers.get("content-length");
      boolean bodiless = method.equals("HEAD") || status < 200 || status == 204 || status == 304;
      boolean stream = headers.getOrDefault("content-type", "").startsWith("text/event-stream");
      if (bodiless || stream) {
        return new Answer(status, headers, "");
      } else if (length != null) {
        body.write(in.readNBytes(Integer.parseInt(length)));
      } else if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        body.write(in.readAllBytes());
      }
      return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the server closed the connection within the socket's timeout (true), or it is still open (false). */
  public boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') return line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }
}
