package io.actorkv.eventual;

import static io.actorkv.eventual.Replicas.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A context is accepted only as this store issued it, and only for the key and namespace it was issued for. */
class CausalContextsTest {

  private static final byte[] SECRET = new byte[32];
  private final CausalContexts contexts = new CausalContexts(SECRET);
  private final VClock clock = VClock.of(Map.of(node(1), 3L, node(2), 1L));

  @Test
  void anIssuedContextReadsBackToItsVectorForItsOwnKey() {
    assertEquals(clock, contexts.verify("carts", "alice", contexts.issue("carts", "alice", clock)));
  }

  @Test
  void aContextForAnotherKeyNamespaceOrClusterIsRefused() {
    String issued = contexts.issue("carts", "alice", clock);
    assertThrows(IllegalArgumentException.class, () -> contexts.verify("carts", "bob", issued));
    assertThrows(IllegalArgumentException.class, () -> contexts.verify("carts~1", "alice", issued));
    byte[] other = SECRET.clone();
    other[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> new CausalContexts(other).verify("carts", "alice", issued));
  }

  @Test
  void aChangedByteAnywhereIsRefused() {
    byte[] token = Base64.getUrlDecoder().decode(contexts.issue("carts", "alice", clock));
    for (int i = 0; i < token.length; i++) {
      byte[] changed = token.clone();
      changed[i] ^= 0x40;
      String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(changed);
      assertThrows(IllegalArgumentException.class, () -> contexts.verify("carts", "alice", forged), "byte " + i);
    }
  }

  @Test
  void anUnsignedContextOfRelease01AndGarbageAreRefused() {
    byte[] token = Base64.getUrlDecoder().decode(contexts.issue("carts", "alice", clock));
    byte[] unsigned = Arrays.copyOf(token, token.length - 16);
    unsigned[0] = 1;
    for (String bad : new String[] {Base64.getUrlEncoder().withoutPadding().encodeToString(unsigned), "", "AQ",
        "not base64!", "A".repeat(10_000)}) {
      assertThrows(IllegalArgumentException.class, () -> contexts.verify("carts", "alice", bad), bad);
    }
  }
}
