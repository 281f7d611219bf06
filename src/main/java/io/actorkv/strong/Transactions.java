package io.actorkv.strong;

import io.actorkv.base.MessageBudget;
import io.actorkv.base.Stages;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.RequestContext;
import io.actorkv.store.Stamp;
import io.actorkv.store.TxnCompare;
import io.actorkv.store.ValueUnreadable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Function;

/**
 * Runs a transaction from the node that took the request, by two-phase
 * commit over the keys' entities: each key is taken ({@link KeyEntity.Prepare},
 * durably) and answers its state; the compares choose a branch; the
 * outcome is stored in the transaction's {@link TxnRecord} before any key
 * hears of it; then every key applies it ({@link KeyEntity.Finish}). A key
 * held by another transaction is not waited for (so no deadlock): the
 * attempt frees what it took and starts again under a new id after a
 * jittered pause, until the request's deadline. If this node stops
 * anywhere, each key held asks the record and applies what it says, abort
 * if nothing was decided. A transaction that only reads takes no key
 * ({@link #snapshot}).
 */
final class Transactions {

  /** Asks a key's entity, as the store does, while time is left. */
  interface Asker {
    CompletionStage<KeyReply> ask(String entityId, Function<ActorRef<KeyReply>, KeyEntity.Command> command,
                                  Supplier<Duration> left);
  }

  /** The longest pause between two attempts of a transaction whose keys were held. */
  static final long MAX_BACKOFF_MILLIS = 200;
  /** How often a transaction that only reads reads its keys twice before it takes them instead. */
  static final int SNAPSHOT_ATTEMPTS = 3;

  private final ActorSystem<?> system;
  private final Asker asker;
  private final long messageBudget;

  Transactions(ActorSystem<?> system, Asker asker) {
    this.system = system;
    this.messageBudget = MessageBudget.bytes(system.settings().config());
    this.asker = asker;
  }

  /** One key of a transaction: its operations in each branch, and their places among the branch's operations. */
  private static final class Participant {
    final String entityId;
    final List<TxnOp> success = new ArrayList<>();
    final List<TxnOp> failure = new ArrayList<>();
    final List<Integer> successAt = new ArrayList<>();
    final List<Integer> failureAt = new ArrayList<>();

    Participant(String entityId) {
      this.entityId = entityId;
    }
  }

  /**
   * How a run ended: with a final {@code result} (applied, or refused as a
   * whole), or with an {@code unsettled} outcome that a later send may
   * change (key_locked, a reused or busy idempotency key).
   */
  private record Ended(KeyOutcome unsettled, TxnClaim.Result result) {
    static Ended unsettled(KeyOutcome outcome) {
      return new Ended(outcome, null);
    }
  }

  /** The claim a run with an idempotency key holds: only its owner may start attempts. */
  private record Owned(String claimId, String owner) {}

  CompletionStage<KeyOutcome> run(RequestContext context, KeyRequest.Txn txn) {
    String principal = context.principal().name();
    Map<String, Participant> keys = new LinkedHashMap<>();
    for (TxnCompare c : txn.compares()) {
      keys.computeIfAbsent(KeyEntity.entityId(c.namespace().storageName(), c.key()), Participant::new);
    }
    add(keys, txn.success(), true, principal);
    add(keys, txn.failure(), false, principal);
    List<Participant> participants = List.copyOf(keys.values());
    for (Participant p : participants) {
      long bytes = 0;
      for (List<TxnOp> branch : List.of(p.success, p.failure)) {
        for (TxnOp op : branch) bytes += op.bytes();
      }
      if (bytes > messageBudget) {
        return CompletableFuture.completedFuture(tooLarge(p.entityId, "the operations on it put " + bytes
            + " bytes", "split the transaction"));
      }
    }
    CompletionStage<Ended> ended;
    if (context.idempotencyKey().isPresent()) {
      ended = claimed(context, txn, participants, context.idempotencyKey().get());
    } else {
      ended = readsOnly(txn) ? snapshot(context, txn, participants, 0) : attempt(context, txn, participants, 0, null);
    }
    return ended.thenApply(e -> e.result() != null ? outcome(e.result()) : e.unsettled());
  }

  /**
   * A key's part of the transaction does not fit one message between nodes
   * ({@link MessageBudget}): refused whole, nothing applied.
   */
  private KeyOutcome tooLarge(String entityId, String what, String instead) {
    String storageName = entityId.substring(0, entityId.indexOf(KeyEntity.SEPARATOR));
    return new KeyOutcome.Invalid("transaction_too_large", "key '" + entityId.substring(storageName.length() + 1)
        + "' of namespace '" + NamespaceDefinition.nameOf(storageName) + "': " + what + ", more than the "
        + messageBudget + " that one message between nodes carries for a key's part of a transaction; " + instead
        + "; nothing was changed");
  }

  /** {@link #tooLarge} for what a key answered: its value and its gets' values. */
  private KeyOutcome tooLarge(String entityId, KeyReply.TooLarge reply) {
    return tooLarge(entityId, "its value and what its gets answer come to " + reply.bytes() + " bytes",
        "get it outside the transaction, or fewer times");
  }

  /**
   * A run under an idempotency key: the outcome its claim remembers, or a
   * run of its own once it owns the claim. A claim taken over from a send
   * that ended without an outcome first settles that send's last attempt:
   * presumed abort if it was not decided (then this send runs), else it was
   * applied, and only which branch is known.
   */
  private CompletionStage<Ended> claimed(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                         String key) {
    String principal = context.principal().name();
    Owned owned = new Owned(Idempotency.claimId(principal, key), UUID.randomUUID().toString());
    Instant leaseUntil = Instant.now().plus(context.remaining()).plus(KeyEntity.LOCK_WAIT);
    return TxnClaim.claim(system, owned.claimId(), Idempotency.fingerprint(txn, principal), owned.owner(),
        leaseUntil, positive(context.remaining())).thenCompose(claimed -> switch (claimed.status()) {
          case "reused" -> done(Ended.unsettled(new KeyOutcome.IdempotencyKeyReused()));
          case "busy" -> done(Ended.unsettled(new KeyOutcome.KeyLocked(KeyEntity.LOCK_WAIT.toSeconds())));
          case "done" -> done(new Ended(null, claimed.result()));
          default -> {
            if (claimed.lastAttempt() == null) yield runOwned(context, txn, keys, owned);
            yield TxnRecord.resolve(system, claimed.lastAttempt(), positive(context.remaining()))
                .thenCompose(outcome -> outcome.equals("abort")
                    ? runOwned(context, txn, keys, owned)
                    : completed(context, owned,
                        new Ended(null, new TxnClaim.Result(outcome.equals("success"), -1, List.of()))));
          }
        });
  }

  private CompletionStage<Ended> runOwned(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                          Owned owned) {
    return attempt(context, txn, keys, 0, owned)
        .thenCompose(ended -> ended.result() == null ? done(ended) : completed(context, owned, ended));
  }

  /**
   * Records a final outcome in the claim; the client gets it even if that
   * could not be recorded in time. Results that would not fit one message
   * between nodes ({@link MessageBudget}: gets of large values) are
   * recorded without them, so a send again answers the branch with no
   * results, as after an outcome applied but not recorded.
   */
  private CompletionStage<Ended> completed(RequestContext context, Owned owned, Ended ended) {
    TxnClaim.Result result = ended.result();
    long bytes = 0;
    for (KeyReply.OpResult r : result.results()) bytes += r.bytes();
    TxnClaim.Result kept = bytes <= messageBudget ? result
        : new TxnClaim.Result(result.succeeded(), result.refusedAt(), List.of());
    return TxnClaim.complete(system, owned.claimId(), owned.owner(), kept, positive(context.remaining()))
        .handle((recorded, failure) -> ended);
  }

  private static boolean readsOnly(KeyRequest.Txn txn) {
    for (List<KeyRequest> branch : List.of(txn.success(), txn.failure())) {
      for (KeyRequest r : branch) {
        if (!(r instanceof KeyRequest.Get)) return false;
      }
    }
    return true;
  }

  /**
   * A transaction that only reads, without taking its keys: each key is
   * read twice ({@link KeyEntity.Peek}), every first read answered before
   * any second one is sent. A key held by a transaction is read only once
   * it is free, so a key that shows the same revision and existence in
   * both reads was changed by no write, single or transactional, decided
   * between them. If every key does, all held those states together when
   * the first round ended, and the transaction takes effect there;
   * otherwise it reads again after a pause, and after
   * {@link #SNAPSHOT_ATTEMPTS} takes its keys as a writing one does.
   */
  private CompletionStage<Ended> snapshot(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                          int attempt) {
    if (attempt >= SNAPSHOT_ATTEMPTS) return attempt(context, txn, keys, 0, null);
    IntFunction<CompletionStage<Ended>> again = next -> snapshot(context, txn, keys, next);
    return peek(context, keys).thenCompose(first -> first == null ? retry(context, attempt, again)
        : peek(context, keys).thenCompose(second -> second == null || !sameStates(first, second)
            ? retry(context, attempt, again)
            : done(new Ended(null, readOutcome(txn, keys, second)))))
        .exceptionallyCompose(failure -> Stages.rootCause(failure) instanceof Refused refused
            ? done(Ended.unsettled(refused.outcome)) : CompletableFuture.failedFuture(failure));
  }

  /** A read refused with an answer for the client ({@link #peek}). */
  private static final class Refused extends RuntimeException {
    final transient KeyOutcome outcome;

    Refused(KeyOutcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  /** The outcome of a transaction that only reads, over the states its keys held together. */
  private static TxnClaim.Result readOutcome(KeyRequest.Txn txn, List<Participant> keys,
                                             Map<String, KeyReply.Prepared> read) {
    Choice choice = choose(txn, keys, read);
    if (choice.refusal() != null) {
      return new TxnClaim.Result(choice.success(), choice.refusedAt(), List.of(choice.refusal()));
    }
    List<List<KeyReply.OpResult>> results = new ArrayList<>(keys.size());
    for (Participant p : keys) {
      results.add(choice.success() ? read.get(p.entityId).success() : read.get(p.entityId).failure());
    }
    return result(txn, keys, null, choice.success(), results);
  }

  /**
   * Every key read as it is, by entity id; null if one was held past the
   * wait (the read may be tried again); {@link Refused} if one is too large
   * to answer.
   */
  private CompletionStage<Map<String, KeyReply.Prepared>> peek(RequestContext context, List<Participant> keys) {
    List<CompletableFuture<KeyReply>> peeks = new ArrayList<>(keys.size());
    for (Participant p : keys) {
      peeks.add(asker.ask(p.entityId, replyTo -> new KeyEntity.Peek(p.success, p.failure, replyTo),
          context::remaining).toCompletableFuture());
    }
    return CompletableFuture.allOf(peeks.toArray(CompletableFuture[]::new)).thenCompose(done -> {
      Map<String, KeyReply.Prepared> read = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        KeyReply reply = peeks.get(i).join();
        ValueUnreadable unreadable = StrongStore.unreadable(keys.get(i).entityId, reply);
        if (unreadable != null) return CompletableFuture.failedFuture(unreadable);
        if (reply instanceof KeyReply.TooLarge large) {
          return CompletableFuture.failedFuture(new Refused(tooLarge(keys.get(i).entityId, large)));
        }
        if (!(reply instanceof KeyReply.Prepared p)) return CompletableFuture.completedFuture(null);
        read.put(keys.get(i).entityId, p);
      }
      return CompletableFuture.completedFuture(read);
    });
  }

  private static boolean sameStates(Map<String, KeyReply.Prepared> first, Map<String, KeyReply.Prepared> second) {
    for (Map.Entry<String, KeyReply.Prepared> e : first.entrySet()) {
      KeyReply.Prepared again = second.get(e.getKey());
      if (again.revision() != e.getValue().revision() || (again.value() == null) != (e.getValue().value() == null)) {
        return false;
      }
    }
    return true;
  }

  private static CompletionStage<Ended> done(Ended ended) {
    return CompletableFuture.completedFuture(ended);
  }

  private static void add(Map<String, Participant> keys, List<KeyRequest> requests, boolean success,
                          String principal) {
    for (int i = 0; i < requests.size(); i++) {
      KeyRequest r = requests.get(i);
      Participant p = keys.computeIfAbsent(KeyEntity.entityId(r.namespace().storageName(), r.key()),
          Participant::new);
      (success ? p.success : p.failure).add(op(r, principal));
      (success ? p.successAt : p.failureAt).add(i);
    }
  }

  private static TxnOp op(KeyRequest r, String principal) {
    if (r instanceof KeyRequest.Get) return TxnOp.get(principal);
    if (r instanceof KeyRequest.Put put) {
      return new TxnOp("put", put.value(), put.contentType(), put.ttl().orElse(null), 0, principal);
    }
    if (r instanceof KeyRequest.Delete) return new TxnOp("delete", null, null, null, 0, principal);
    if (r instanceof KeyRequest.Increment inc) return new TxnOp("increment", null, null, null, inc.by(), principal);
    throw new IllegalArgumentException("a transaction takes get, put, delete and increment, not " + r);
  }

  /** One attempt under a new id; with a claim, only once the claim has recorded it. */
  private CompletionStage<Ended> attempt(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                         int attempt, Owned owned) {
    String txnId = UUID.randomUUID().toString();
    if (owned == null) return prepare(context, txn, keys, attempt, owned, txnId);
    return TxnClaim.attempt(system, owned.claimId(), owned.owner(), txnId, positive(context.remaining()))
        .thenCompose(mine -> mine
            ? prepare(context, txn, keys, attempt, owned, txnId)
            : done(Ended.unsettled(new KeyOutcome.KeyLocked(KeyEntity.LOCK_WAIT.toSeconds()))));
  }

  private CompletionStage<Ended> prepare(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                         int attempt, Owned owned, String txnId) {
    List<CompletableFuture<KeyReply>> prepares = new ArrayList<>(keys.size());
    for (Participant p : keys) {
      prepares.add(asker.ask(p.entityId, replyTo -> new KeyEntity.Prepare(txnId, p.success, p.failure, replyTo),
          context::remaining).toCompletableFuture());
    }
    return CompletableFuture.allOf(prepares.toArray(CompletableFuture[]::new)).handle((done, failure) -> {
      if (failure != null) {
        abort(txnId, keys);
        return CompletableFuture.<Ended>failedFuture(failure);
      }
      Map<String, KeyReply.Prepared> prepared = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        KeyReply reply = prepares.get(i).join();
        ValueUnreadable unreadable = StrongStore.unreadable(keys.get(i).entityId, reply);
        if (unreadable != null) {
          abort(txnId, keys);
          return CompletableFuture.<Ended>failedFuture(unreadable);
        }
        if (reply instanceof KeyReply.TooLarge large) {
          abort(txnId, keys);
          return done(Ended.unsettled(tooLarge(keys.get(i).entityId, large)));
        }
        if (!(reply instanceof KeyReply.Prepared p)) {
          abort(txnId, keys);
          return retry(context, attempt, a -> attempt(context, txn, keys, a, owned));
        }
        prepared.put(keys.get(i).entityId, p);
      }
      return decide(context, txn, keys, txnId, prepared);
    }).thenCompose(next -> next);
  }

  /** After a key was held by another transaction: {@code next} attempt after a pause, while time is left. */
  private CompletionStage<Ended> retry(RequestContext context, int attempt,
                                       IntFunction<CompletionStage<Ended>> next) {
    long ceiling = Math.min(MAX_BACKOFF_MILLIS, 5L << Math.min(attempt, 6));
    long pause = ThreadLocalRandom.current().nextLong(1, ceiling + 1);
    if (context.remaining().toMillis() < pause + MAX_BACKOFF_MILLIS) {
      return done(Ended.unsettled(new KeyOutcome.KeyLocked(KeyEntity.LOCK_WAIT.toSeconds())));
    }
    return CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, system.executionContext()))
        .thenCompose(ignored -> next.apply(attempt + 1));
  }

  /** The branch the compares chose, and the first of its operations that cannot apply (null: none). */
  private record Choice(boolean success, int refusedAt, KeyReply.OpResult refusal) {}

  private static Choice choose(KeyRequest.Txn txn, List<Participant> keys, Map<String, KeyReply.Prepared> prepared) {
    boolean success = true;
    for (TxnCompare c : txn.compares()) {
      KeyReply.Prepared p = prepared.get(KeyEntity.entityId(c.namespace().storageName(), c.key()));
      StoredValue v = p.value();
      if (!c.holds(p.revision(), v == null ? null : v.bytes(), v != null && v.counter())) {
        success = false;
        break;
      }
    }
    int refusedAt = Integer.MAX_VALUE;
    KeyReply.OpResult refusal = null;
    for (Participant p : keys) {
      List<KeyReply.OpResult> would = success ? prepared.get(p.entityId).success() : prepared.get(p.entityId).failure();
      List<Integer> at = success ? p.successAt : p.failureAt;
      for (int i = 0; i < would.size(); i++) {
        if (would.get(i).refused() && at.get(i) < refusedAt) {
          refusedAt = at.get(i);
          refusal = would.get(i);
        }
      }
    }
    return new Choice(success, refusedAt, refusal);
  }

  private CompletionStage<Ended> decide(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                        String txnId, Map<String, KeyReply.Prepared> prepared) {
    Choice choice = choose(txn, keys, prepared);
    boolean success = choice.success();
    if (choice.refusal() != null) {
      abort(txnId, keys);
      return done(new Ended(null, new TxnClaim.Result(success, choice.refusedAt(), List.of(choice.refusal()))));
    }
    String outcome = success ? "success" : "failure";
    // Once the outcome is asked to be stored it may be: never tell a key abort after this point.
    return TxnRecord.decide(system, txnId, outcome, positive(context.remaining())).thenCompose(decided -> {
      if (!decided.equals(outcome)) { // a key held too long asked first, and so aborted it
        abort(txnId, keys);
        return done(Ended.unsettled(new KeyOutcome.KeyLocked(KeyEntity.LOCK_WAIT.toSeconds())));
      }
      return apply(context, txn, keys, txnId, success);
    });
  }

  private CompletionStage<Ended> apply(RequestContext context, KeyRequest.Txn txn, List<Participant> keys,
                                            String txnId, boolean success) {
    String outcome = success ? "success" : "failure";
    List<CompletableFuture<KeyReply>> finishes = new ArrayList<>(keys.size());
    for (Participant p : keys) {
      finishes.add(asker.ask(p.entityId, replyTo -> new KeyEntity.Finish(txnId, outcome, replyTo),
          context::remaining).toCompletableFuture());
    }
    return CompletableFuture.allOf(finishes.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<List<KeyReply.OpResult>> results = new ArrayList<>(keys.size());
      for (CompletableFuture<KeyReply> f : finishes) results.add(((KeyReply.Finished) f.join()).results());
      return new Ended(null, result(txn, keys, txnId, success, results));
    });
  }

  /** The branch's results in the request's order, from each key's results ({@code byKey}, in {@code keys}' order). */
  private static TxnClaim.Result result(KeyRequest.Txn txn, List<Participant> keys, String txnId, boolean success,
                                        List<List<KeyReply.OpResult>> byKey) {
    KeyReply.OpResult[] results = new KeyReply.OpResult[(success ? txn.success() : txn.failure()).size()];
    for (int k = 0; k < keys.size(); k++) {
      Participant p = keys.get(k);
      List<KeyReply.OpResult> got = byKey.get(k);
      List<Integer> at = success ? p.successAt : p.failureAt;
      if (got.size() != at.size()) { // the key asked the record and applied the outcome before it was told
        throw new CompletionException(new TimeoutException("transaction " + txnId + " was applied, but not all "
            + "of its results are known"));
      }
      for (int i = 0; i < at.size(); i++) results[at.get(i)] = got.get(i);
    }
    return new TxnClaim.Result(success, -1, Arrays.asList(results));
  }

  /** Frees every key the attempt may hold; a key that missed this asks the record later, which says abort. */
  private void abort(String txnId, List<Participant> keys) {
    for (Participant p : keys) {
      asker.ask(p.entityId, replyTo -> new KeyEntity.Finish(txnId, "abort", replyTo),
          () -> KeyEntity.LOCK_WAIT);
    }
  }

  private static Duration positive(Duration d) {
    return d.isZero() ? Duration.ofMillis(1) : d;
  }

  /** A final outcome as the store answers it. */
  static KeyOutcome outcome(TxnClaim.Result r) {
    if (r.refusedAt() >= 0) return new KeyOutcome.TxnRefused(r.succeeded(), r.refusedAt(), outcome(r.results().get(0)));
    return new KeyOutcome.TxnDone(r.succeeded(), r.results().stream().map(Transactions::outcome).toList());
  }

  static KeyOutcome outcome(KeyReply.OpResult r) {
    return switch (r.kind()) {
      case "found" -> new KeyOutcome.Found(List.of(r.value().toValue()), new Stamp.Revision(r.revision()));
      case "not_found" -> new KeyOutcome.NotFound();
      case "stored" -> new KeyOutcome.Stored(new Stamp.Revision(r.revision()), r.created());
      case "deleted" -> new KeyOutcome.Deleted(new Stamp.Revision(r.revision()));
      case "counted" -> new KeyOutcome.Counted(r.count(), OptionalLong.of(r.revision()));
      case "wrong_kind" -> new KeyOutcome.WrongKind(r.existing());
      case "counter_overflow" -> new KeyOutcome.CounterOverflow();
      default -> throw new IllegalStateException("unexpected result " + r.kind());
    };
  }
}
