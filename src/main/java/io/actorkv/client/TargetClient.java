package io.actorkv.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Performs one operation against the target on one connection and says how it went. */
@FunctionalInterface
interface TargetClient {

  String TIMEOUT = "timeout";
  String CONNECT = "connect";
  String IO = "io";
  /** An open loop's request due before the end that was never sent: the connection was still waiting. */
  String UNSENT = "unsent";

  /** {@code null} on success, else the kind of error. */
  String perform(Op op, int key);

  /**
   * Over HTTP: encodes with the protocol, exchanges on the connection, judges the answer. A failed
   * connection attempt waits a little before returning, so a closed-loop run against a target
   * that is down does not spin a core.
   */
  static TargetClient http(TargetProtocol protocol, HttpConnection connection) {
    RequestBytes request = new RequestBytes();
    return (op, key) -> {
      protocol.encode(op, key, request);
      try {
        int status = connection.exchange(request.array(), request.length());
        return protocol.judge(op, status, connection.body(), connection.bodyLength());
      } catch (SocketTimeoutException e) {
        return TIMEOUT;
      } catch (ConnectException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        return CONNECT;
      } catch (IOException e) {
        return IO;
      }
    };
  }
}
