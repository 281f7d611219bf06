package io.actorkv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.actorkv.base.Ticker;
import io.actorkv.namespace.Conflicts;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The seam between a request and the stores: filters in their order, and each request to its mode's store. */
class StoreFilterTest {

  static final NamespaceDefinition STRONG = NamespaceDefinition.strong("s", Instant.EPOCH);
  static final NamespaceDefinition EVENTUAL = NamespaceDefinition.eventual("e", Instant.EPOCH, Conflicts.LWW,
      Level.MAJORITY, Level.LOCAL, null, 4);
  static final RequestContext CONTEXT = RequestContext.of(RequestId.given("r-1"), new Principal("alice"), Ticker.SYSTEM,
      Duration.ofSeconds(5));

  /** A store that records what reached it and answers NotFound. */
  record Recording(Mode mode, List<String> seen) implements ModeStore {
    private CompletionStage<KeyOutcome> saw(KeyRequest r) {
      seen.add(mode + " " + r.getClass().getSimpleName() + " " + r.key());
      return CompletableFuture.completedFuture(new KeyOutcome.NotFound());
    }

    @Override
    public CompletionStage<KeyOutcome> get(RequestContext c, KeyRequest.Get r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> put(RequestContext c, KeyRequest.Put r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> delete(RequestContext c, KeyRequest.Delete r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> increment(RequestContext c, KeyRequest.Increment r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> revert(RequestContext c, KeyRequest.Revert r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> history(RequestContext c, KeyRequest.History r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> list(RequestContext c, KeyRequest.List r) {
      return saw(r);
    }

    @Override
    public CompletionStage<KeyOutcome> deleteRange(RequestContext c, KeyRequest.DeleteRange r) {
      return saw(r);
    }

    @Override
    public CompletionStage<Boolean> hasLiveKeys(NamespaceDefinition namespace) {
      seen.add(mode + " contents " + namespace.name());
      return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletionStage<Void> forget(NamespaceDefinition namespace) {
      seen.add(mode + " forget " + namespace.name());
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void givenTwoFilters_thenEachRequestPassesTheFirstListedFirstAndThenReachesTheStoreOfItsMode() {
    List<String> seen = new ArrayList<>();
    ModeRouter stores = new ModeRouter(new Recording(Mode.STRONG, seen), new Recording(Mode.EVENTUAL, seen));
    StoreFilter outer = (c, r, next) -> {
      seen.add("outer " + c.requestId());
      return next.get();
    };
    StoreFilter inner = (c, r, next) -> {
      seen.add("inner " + c.principal().name());
      return next.get();
    };
    KeyValueStore store = StoreFilter.around(stores, List.of(outer, inner));

    store.get(CONTEXT, new KeyRequest.Get(STRONG, "a", Optional.empty()));
    store.increment(CONTEXT, new KeyRequest.Increment(EVENTUAL, "b", 1, Optional.empty()));
    store.delete(CONTEXT, new KeyRequest.Delete(EVENTUAL, "c", Precondition.NONE, Optional.empty(), Optional.empty()));
    stores.hasLiveKeys(EVENTUAL);
    stores.forget(STRONG);

    assertEquals(List.of(
        "outer r-1", "inner alice", "STRONG Get a",
        "outer r-1", "inner alice", "EVENTUAL Increment b",
        "outer r-1", "inner alice", "EVENTUAL Delete c",
        "EVENTUAL contents e", "STRONG forget s"), seen);
  }

  @Test
  void givenANodeThatIsNotReady_thenTheGateAnswersNotReadyAndNothingReachesAStore() {
    List<String> seen = new ArrayList<>();
    AtomicBoolean ready = new AtomicBoolean(false);
    KeyValueStore store = StoreFilter.around(
        new ModeRouter(new Recording(Mode.STRONG, seen), new Recording(Mode.EVENTUAL, seen)),
        List.of(new ReadinessGate(ready::get)));
    KeyRequest.Put put = new KeyRequest.Put(STRONG, "k", new byte[0], "text/plain", Optional.empty(),
        Precondition.NONE, Optional.empty(), Optional.empty());

    assertEquals(new KeyOutcome.NotReady(), store.put(CONTEXT, put).toCompletableFuture().join());
    assertEquals(List.of(), seen);

    ready.set(true);
    assertEquals(new KeyOutcome.NotFound(), store.put(CONTEXT, put).toCompletableFuture().join());
    assertEquals(List.of("STRONG Put k"), seen);
  }

  @Test
  void aRouterNeedsExactlyOneStorePerMode() {
    List<String> seen = new ArrayList<>();
    assertThrows(IllegalArgumentException.class, () -> new ModeRouter(new Recording(Mode.STRONG, seen)));
    assertThrows(IllegalArgumentException.class, () -> new ModeRouter(new Recording(Mode.STRONG, seen),
        new Recording(Mode.STRONG, seen), new Recording(Mode.EVENTUAL, seen)));
  }

  @Test
  void aContextsDeadlineCountsDownOnItsTicker() {
    long[] now = {1_000};
    RequestContext context = RequestContext.of(RequestId.given("r"), new Principal("p"), () -> now[0], Duration.ofNanos(500));

    assertEquals(Duration.ofNanos(500), context.remaining());
    now[0] += 200;
    assertEquals(Duration.ofNanos(300), context.remaining());
    now[0] += 1_000;
    assertEquals(Duration.ZERO, context.remaining());
  }
}
