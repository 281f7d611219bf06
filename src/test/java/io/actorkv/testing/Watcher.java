package io.actorkv.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of {@code GET /v1/watch/...} over a real connection: reads the
 * stream on a thread of its own and queues each change (server-sent events,
 * or NDJSON lines when asked with {@code Accept: application/x-ndjson}),
 * counting heartbeats. Closing it hangs up.
 */
public final class Watcher implements AutoCloseable {

  /** One change: its {@code id:} (for NDJSON, its offset) and its data. */
  public record Event(long id, JsonNode data) {
    public String key() {
      return data.get("key").asText();
    }

    public long revision() {
      return data.get("revision").asLong();
    }

    public String operation() {
      return data.get("operation").asText();
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final Thread reader;
  private volatile boolean closed;
  private volatile boolean ended;

  private Watcher(HttpResponse<InputStream> response, boolean ndjson) {
    this.response = response;
    this.reader = new Thread(() -> read(ndjson), "watcher");
    reader.setDaemon(true);
    if (response.statusCode() == 200) reader.start();
  }

  /** Opens {@code path} on the node at {@code port}; headers as name, value pairs. */
  public static Watcher open(int port, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).GET();
    boolean ndjson = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      ndjson |= headers[i].equalsIgnoreCase("Accept") && headers[i + 1].contains("ndjson");
    }
    try {
      return new Watcher(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()), ndjson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public HttpResponse<InputStream> response() {
    return response;
  }

  /** The offset the stream started after ({@code X-KV-Offset}). */
  public long startedAfter() {
    return Long.parseLong(response.headers().firstValue("X-KV-Offset").orElseThrow());
  }

  /** The error body of a refused watch. */
  public JsonNode error() {
    try (InputStream in = response.body()) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next change, waiting up to {@code timeout}; fails if none came. */
  public Event next(Duration timeout) {
    Event e = poll(timeout);
    if (e == null) throw new AssertionError("no change arrived within " + timeout);
    return e;
  }

  /** The next change, or null if none came within {@code timeout}. */
  public Event poll(Duration timeout) {
    try {
      return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether the server ended the stream (or the connection broke). */
  public boolean ended() {
    return ended;
  }

  /** The next {@code n} changes, each within {@code timeout}. */
  public List<Event> next(int n, Duration timeout) {
    List<Event> got = new ArrayList<>();
    for (int i = 0; i < n; i++) got.add(next(timeout));
    return got;
  }

  /** Changes already received and not yet taken. */
  public List<Event> drain() {
    List<Event> got = new ArrayList<>();
    events.drainTo(got);
    return got;
  }

  public int heartbeats() {
    return heartbeats.get();
  }

  private void read(boolean ndjson) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      long id = -1;
      String line;
      while ((line = in.readLine()) != null) {
        if (ndjson) {
          JsonNode node = JSON.readTree(line);
          if (node.has("heartbeat")) heartbeats.incrementAndGet();
          else events.add(new Event(node.get("offset").asLong(), node));
        } else if (line.startsWith(": heartbeat")) {
          heartbeats.incrementAndGet();
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("data: ")) {
          events.add(new Event(id, JSON.readTree(line.substring(6))));
        }
      }
    } catch (IOException e) {
      // The connection broke: the node went away, or this side hung up.
    } finally {
      ended = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      response.body().close();
    } catch (IOException e) {
      // Hung up already.
    }
  }
}
