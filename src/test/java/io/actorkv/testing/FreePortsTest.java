package io.actorkv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  /** Regression: a reliability run failed when two nodes were given the same port. */
  @Test
  void neverHandsOutTheSamePortTwice() {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 500; i++) ports.add(FreePorts.next());
    assertEquals(500, ports.size());
  }
}
