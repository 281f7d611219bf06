package io.actorkv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports free on 127.0.0.1 at the moment of asking, each handed out at most
 * once per JVM. The OS may offer a just-closed ephemeral port again, so
 * without the record two nodes of one test could be given the same port.
 */
public final class FreePorts {

  private static final Set<Integer> issued = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        if (issued.add(s.getLocalPort())) return s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no fresh free port after 100 attempts");
  }
}
