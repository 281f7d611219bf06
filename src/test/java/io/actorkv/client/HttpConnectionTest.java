package io.actorkv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark's HTTP/1.1 client against a loopback server that answers with scripted bytes. */
class HttpConnectionTest {

  /** What the server does with the next request it reads, whichever connection it came on. */
  record Answer(List<String> parts, boolean closeAfter, boolean silent) {
    static Answer of(String raw) {
      return new Answer(List.of(raw), false, false);
    }

    static Answer inParts(String... parts) {
      return new Answer(List.of(parts), false, false);
    }

    static Answer thenClose(String raw) {
      return new Answer(List.of(raw), true, false);
    }

    static Answer none() {
      return new Answer(List.of(), false, true);
    }
  }

  /** Reads whole requests (head and Content-Length body) and writes the scripted answers. */
  static final class ScriptedServer implements AutoCloseable {
    final ServerSocket listener;
    final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Released by {@link #close}: a silent answer holds its connection open until then. */
    final CountDownLatch closed = new CountDownLatch(1);

    ScriptedServer(Answer... script) throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      answers.addAll(List.of(script));
      Thread acceptor = new Thread(this::accept, "scripted-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    void accept() {
      while (!listener.isClosed()) {
        try {
          Socket s = listener.accept();
          accepted.incrementAndGet();
          sockets.add(s);
          Thread t = new Thread(() -> serve(s), "scripted-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    void serve(Socket s) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        while (true) {
          String request = readRequest(in);
          if (request == null) return;
          requests.add(request);
          Answer answer = answers.poll(10, TimeUnit.SECONDS);
          if (answer == null || answer.silent()) {
            closed.await();
            return;
          }
          for (String part : answer.parts()) {
            out.write(part.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          if (answer.closeAfter()) return;
        }
      } catch (IOException | InterruptedException e) {
        // the client went away or the test ended
      }
    }

    static String readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        String sofar = head.toString(StandardCharsets.ISO_8859_1);
        if (sofar.endsWith("\r\n\r\n")) {
          int length = 0;
          for (String line : sofar.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
          }
          byte[] body = in.readNBytes(length);
          return sofar + new String(body, StandardCharsets.ISO_8859_1);
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      closed.countDown();
      listener.close();
      for (Socket s : sockets) s.close();
    }
  }

  static final byte[] REQUEST = RequestBytes.ascii("GET /v1/kv/default/key-1 HTTP/1.1\r\nHost: test\r\n\r\n");

  ScriptedServer server;
  HttpConnection connection;

  HttpConnection connect(Answer... script) throws IOException {
    server = new ScriptedServer(script);
    connection = new HttpConnection("127.0.0.1", server.port(), 10_000);
    return connection;
  }

  @AfterEach
  void stop() throws IOException {
    if (connection != null) connection.close();
    if (server != null) server.close();
  }

  static String body(HttpConnection c) {
    return new String(c.body(), 0, c.bodyLength(), StandardCharsets.ISO_8859_1);
  }

  int exchange() throws IOException {
    return connection.exchange(REQUEST, REQUEST.length);
  }

  @Test
  void readsAContentLengthBodyAndKeepsTheConnection() throws IOException {
    connect(Answer.of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
        Answer.of("HTTP/1.1 404 Not Found\r\ncontent-LENGTH:  9\r\n\r\nnot found"));

    assertEquals(200, exchange());
    assertEquals("hello", body(connection));
    assertEquals(404, exchange());
    assertEquals("not found", body(connection));
    assertEquals(1, server.accepted.get(), "both requests on one connection");
    assertEquals(new String(REQUEST, StandardCharsets.ISO_8859_1), server.requests.get(0));
  }

  @Test
  void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
    connect(Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n7;name=value\r\n, world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"),
        Answer.of("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));

    assertEquals(200, exchange());
    assertEquals("hello, world0123456789", body(connection));
    assertEquals(201, exchange(), "the next answer starts right after the last chunk");
    assertEquals("ok", body(connection));
    assertEquals(1, server.accepted.get());
  }

  @Test
  void readsAnswersThatArriveInPiecesAndBodiesLargerThanItsBuffer() throws IOException {
    String big = "x".repeat(100_000);
    connect(Answer.inParts("HTTP/1.1 200 OK\r\nContent-", "Length: 100000\r", "\n\r\n", big.substring(0, 3), big.substring(3)),
        Answer.inParts("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n186a0\r\n", big, "\r\n0\r\n\r\n"));

    assertEquals(200, exchange());
    assertEquals(big, body(connection));
    assertEquals(200, exchange());
    assertEquals(big, body(connection));
  }

  @Test
  void reconnectsAfterTheServerSaysConnectionClose() throws IOException {
    connect(Answer.thenClose("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

    assertEquals(503, exchange());
    assertFalse(connection.isOpen());
    assertEquals(200, exchange());
    assertEquals(2, server.accepted.get());
  }

  @Test
  void resendsOnceWhenAKeptAliveConnectionWasClosedByTheServer() throws IOException {
    // The server closes without saying so, as when an idle connection times out on its side.
    connect(Answer.thenClose("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"),
        Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));

    assertEquals(200, exchange());
    assertEquals(200, exchange());
    assertEquals("b", body(connection));
    assertEquals(2, server.accepted.get());
  }

  @Test
  void readsABodyThatEndsWithTheConnection() throws IOException {
    connect(Answer.thenClose("HTTP/1.0 200 OK\r\n\r\nuntil the end"),
        Answer.of("HTTP/1.1 204 No Content\r\n\r\n"));

    assertEquals(200, exchange());
    assertEquals("until the end", body(connection));
    assertFalse(connection.isOpen());
    assertEquals(204, exchange());
    assertEquals(0, connection.bodyLength());
  }

  @Test
  void skipsInterimAnswers() throws IOException {
    connect(Answer.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

    assertEquals(200, exchange());
    assertEquals("ok", body(connection));
  }

  @Test
  void aSilentServerTimesOut() throws IOException {
    server = new ScriptedServer(Answer.none());
    connection = new HttpConnection("127.0.0.1", server.port(), 200);

    assertThrows(SocketTimeoutException.class, this::exchange);
    assertFalse(connection.isOpen(), "a timed-out connection is not reused");
  }

  @Test
  void aTargetThatIsNotListeningIsAConnectFailure() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    connection = new HttpConnection("127.0.0.1", port, 1_000);

    assertThrows(ConnectException.class, this::exchange);
  }

  @Test
  void garbageInsteadOfAStatusLineIsAnError() throws IOException {
    connect(Answer.of("SSH-2.0-OpenSSH\r\n\r\n"));

    IOException e = assertThrows(IOException.class, this::exchange);
    assertTrue(e.getMessage().contains("status line"), e.getMessage());
  }
}
