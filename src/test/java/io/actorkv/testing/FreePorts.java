package io.actorkv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports free on 127.0.0.1 at the moment of asking, each handed out at most
 * once per JVM. They are taken below the kernel's ephemeral range: a port
 * from that range (what binding port 0 gives) can be given to an outgoing
 * connection, to PostgreSQL or between nodes, after it was handed out and
 * before its node binds it, and that node then fails to start (a rolling
 * restart test lost its first seed so). Where the ephemeral range leaves
 * no room below it, the kernel's choice is taken, as before.
 */
public final class FreePorts {

  private static final Set<Integer> issued = ConcurrentHashMap.newKeySet();
  private static final int LOWEST = 10_000;
  private static final int HIGHEST = ephemeralLow() - 1;

  private FreePorts() {}

  public static int next() {
    if (HIGHEST - LOWEST < 1_000) return kernelsChoice();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1);
      if (!issued.contains(port) && free(port) && issued.add(port)) return port;
    }
    throw new IllegalStateException("no free port from " + LOWEST + " to " + HIGHEST + " after 1,000 attempts");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static int kernelsChoice() {
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

  /** The lowest port the kernel gives outgoing connections (Linux; 32768 where it cannot be read). */
  private static int ephemeralLow() {
    try {
      return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
          .split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
