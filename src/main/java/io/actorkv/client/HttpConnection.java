package io.actorkv.client;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One persistent HTTP/1.1 connection over a blocking socket (plain, or TLS for https), for one thread.
 *
 * <p>A request is written as ready-made bytes; the response's status line and headers are parsed
 * in place and its body, framed by {@code Content-Length}, {@code Transfer-Encoding: chunked} or
 * the end of the stream, is kept until the next exchange. The connection is opened on first use
 * and again after the server closes it. A request that finds a kept-alive connection already
 * closed by the server (nothing of the answer read) is sent once more on a fresh one; a timeout
 * is never retried, since the server may be acting on the request.
 *
 * <p>Deliberately not {@code java.net.http.HttpClient}: the benchmark shares two cores with the
 * server under test, and this path costs one write and usually one read system call per request
 * and allocates nothing.
 */
final class HttpConnection implements Closeable {

  private static final int MAX_LINE = 64 * 1024;
  private static final long MAX_BODY = 256L * 1024 * 1024;

  private final InetSocketAddress address;
  private final int timeoutMillis;
  private final SocketFactory sockets;

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;

  private byte[] line = new byte[256];
  private int lineLength;

  private byte[] body = new byte[1024];
  private int bodyLength;
  private int status;
  private boolean responseStarted;

  HttpConnection(String host, int port, int timeoutMillis) {
    this(host, port, timeoutMillis, SocketFactory.getDefault());
  }

  /** @param sockets makes plain sockets, or TLS ones for https (their handshake is part of connecting) */
  HttpConnection(String host, int port, int timeoutMillis, SocketFactory sockets) {
    this.address = new InetSocketAddress(host, port);
    this.timeoutMillis = timeoutMillis;
    this.sockets = sockets;
  }

  /**
   * Sends {@code length} bytes of {@code request} and reads the whole answer.
   *
   * @return the status code; the body is {@link #body()} up to {@link #bodyLength()}
   * @throws ConnectException if no connection could be made
   * @throws SocketTimeoutException if the server did not answer within the timeout
   */
  int exchange(byte[] request, int length) throws IOException {
    boolean fresh = socket == null;
    if (fresh) connect();
    try {
      return attempt(request, length);
    } catch (SocketTimeoutException e) {
      close();
      throw e;
    } catch (IOException e) {
      close();
      if (fresh || responseStarted) throw e;
      connect();
      try {
        return attempt(request, length);
      } catch (IOException again) {
        close();
        throw again;
      }
    }
  }

  /** Connects now unless already connected, so an unreachable target is reported before a run starts. */
  void open() throws IOException {
    if (socket == null) connect();
  }

  int status() {
    return status;
  }

  byte[] body() {
    return body;
  }

  int bodyLength() {
    return bodyLength;
  }

  boolean isOpen() {
    return socket != null;
  }

  @Override
  public void close() {
    if (socket == null) return;
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing to do: the socket is gone either way.
    }
    socket = null;
    in = null;
    out = null;
  }

  private void connect() throws IOException {
    Socket s = sockets.createSocket();
    try {
      s.setTcpNoDelay(true);
      s.connect(address, timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      if (s instanceof SSLSocket tls) {
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
      }
      in = s.getInputStream();
      out = s.getOutputStream();
    } catch (IOException e) {
      s.close();
      ConnectException failure = new ConnectException("cannot connect to " + address + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
    socket = s;
    position = 0;
    limit = 0;
  }

  private int attempt(byte[] request, int length) throws IOException {
    responseStarted = position < limit;
    bodyLength = 0;
    out.write(request, 0, length);
    out.flush();
    boolean keepAlive;
    do {
      keepAlive = readResponse();
    } while (status >= 100 && status < 200 && status != 101);
    if (!keepAlive) close();
    return status;
  }

  /** Reads one response; returns whether the connection may carry another. */
  private boolean readResponse() throws IOException {
    readLine();
    status = parseStatusLine();
    boolean http10 = line[7] == '0';
    boolean keepAlive = !http10;
    long contentLength = -1;
    boolean chunked = false;
    while (readLine() > 0) {
      int colon = indexOf(line, lineLength, (byte) ':');
      if (colon <= 0) continue;
      int valueStart = skipSpaces(colon + 1);
      if (nameIs(colon, "content-length")) {
        contentLength = parseDecimal(valueStart);
      } else if (nameIs(colon, "transfer-encoding")) {
        chunked = valueContains(valueStart, "chunked");
      } else if (nameIs(colon, "connection")) {
        if (valueContains(valueStart, "close")) keepAlive = false;
        else if (valueContains(valueStart, "keep-alive")) keepAlive = true;
      }
    }
    bodyLength = 0;
    if ((status >= 100 && status < 200) || status == 204 || status == 304) return keepAlive;
    if (chunked) {
      readChunkedBody();
    } else if (contentLength >= 0) {
      readBody(contentLength);
    } else {
      readBodyToEnd();
      keepAlive = false;
    }
    return keepAlive;
  }

  private int parseStatusLine() throws IOException {
    if (lineLength < 12 || !startsWith("HTTP/1.") || line[8] != ' ') {
      throw new IOException("not an HTTP/1.x status line: " + new String(line, 0, lineLength, StandardCharsets.ISO_8859_1));
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) throw new IOException("bad status code in the status line");
      code = code * 10 + digit;
    }
    return code;
  }

  private void readChunkedBody() throws IOException {
    while (true) {
      readLine();
      long size = 0;
      int i = 0;
      for (; i < lineLength; i++) {
        int digit = Character.digit(line[i], 16);
        if (digit < 0) break;
        size = size * 16 + digit;
        if (size > MAX_BODY) throw new IOException("chunk too large");
      }
      if (i == 0) throw new IOException("bad chunk size line");
      if (size == 0) {
        while (readLine() > 0) {
          // trailer fields, ignored
        }
        return;
      }
      readBody(size);
      if (readLine() != 0) throw new IOException("chunk not followed by CRLF");
    }
  }

  /** Appends exactly {@code count} bytes to the body. */
  private void readBody(long count) throws IOException {
    if (bodyLength + count > MAX_BODY) throw new IOException("body too large: " + (bodyLength + count) + " bytes");
    int remaining = (int) count;
    ensureBody(remaining);
    while (remaining > 0) {
      if (position == limit) fill();
      int n = Math.min(remaining, limit - position);
      System.arraycopy(buffer, position, body, bodyLength, n);
      position += n;
      bodyLength += n;
      remaining -= n;
    }
  }

  private void readBodyToEnd() throws IOException {
    while (true) {
      if (position == limit && !tryFill()) return;
      int n = limit - position;
      if (bodyLength + n > MAX_BODY) throw new IOException("body too large");
      ensureBody(n);
      System.arraycopy(buffer, position, body, bodyLength, n);
      position += n;
      bodyLength += n;
    }
  }

  /** Reads one line without its CRLF (or bare LF) into {@link #line}; returns its length. */
  private int readLine() throws IOException {
    lineLength = 0;
    while (true) {
      if (position == limit) fill();
      byte b = buffer[position++];
      if (b == '\n') {
        if (lineLength > 0 && line[lineLength - 1] == '\r') lineLength--;
        return lineLength;
      }
      if (lineLength == line.length) {
        if (line.length >= MAX_LINE) throw new IOException("header line longer than " + MAX_LINE + " bytes");
        line = Arrays.copyOf(line, line.length * 2);
      }
      line[lineLength++] = b;
    }
  }

  private void fill() throws IOException {
    if (!tryFill()) {
      throw new EOFException(responseStarted ? "connection closed in the middle of a response"
          : "connection closed before the response");
    }
  }

  private boolean tryFill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) return false;
    position = 0;
    limit = n;
    responseStarted = true;
    return true;
  }

  private void ensureBody(int more) {
    if (bodyLength + more > body.length) {
      body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + more));
    }
  }

  private boolean startsWith(String prefix) {
    if (lineLength < prefix.length()) return false;
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) return false;
    }
    return true;
  }

  private boolean nameIs(int colon, String lowerName) {
    int end = colon;
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
    if (end != lowerName.length()) return false;
    for (int i = 0; i < end; i++) {
      if (Character.toLowerCase((char) line[i]) != lowerName.charAt(i)) return false;
    }
    return true;
  }

  private boolean valueContains(int from, String lowerWord) {
    outer:
    for (int start = from; start + lowerWord.length() <= lineLength; start++) {
      for (int i = 0; i < lowerWord.length(); i++) {
        if (Character.toLowerCase((char) line[start + i]) != lowerWord.charAt(i)) continue outer;
      }
      return true;
    }
    return false;
  }

  private long parseDecimal(int from) throws IOException {
    long value = 0;
    int i = from;
    for (; i < lineLength && line[i] >= '0' && line[i] <= '9'; i++) {
      value = value * 10 + (line[i] - '0');
      if (value > MAX_BODY) throw new IOException("Content-Length too large");
    }
    if (i == from) throw new IOException("bad Content-Length");
    return value;
  }

  private int skipSpaces(int from) {
    while (from < lineLength && (line[from] == ' ' || line[from] == '\t')) from++;
    return from;
  }

  private static int indexOf(byte[] bytes, int length, byte b) {
    for (int i = 0; i < length; i++) {
      if (bytes[i] == b) return i;
    }
    return -1;
  }
}
