package io.actorkv.strong;

import io.actorkv.store.Expiry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction's operations on one key, applied in order to the key's
 * state as single-key requests would be, but with no precondition: the
 * events they make and what each answers. The first operation that cannot
 * apply (a put on a counter, an increment of a value or past 64 bits)
 * stops it, and then none of its events may be written.
 */
final class TxnApply {

  private TxnApply() {}

  record Applied(List<KeyEvent> events, List<KeyReply.OpResult> results, boolean refused) {}

  /**
   * The events and results of {@code ops} applied in order to {@code start}:
   * each event sealed (with encryption at rest) and chained as a single
   * write's would be; what a get finds, in the clear.
   */
  static Applied apply(KeyState start, List<TxnOp> ops, Instant now, String persistenceId,
                       IdempotencyLimits limits, ValueSeal seal) {
    KeyState state = start;
    List<KeyEvent> events = new ArrayList<>();
    List<KeyReply.OpResult> results = new ArrayList<>(ops.size());
    for (TxnOp op : ops) {
      boolean exists = state.existsAt(now);
      KeyEvent event = null;
      KeyReply.OpResult refusal = null;
      switch (op.op()) {
        case "get" -> results.add(exists
            ? new KeyReply.OpResult("found", state.revision(), seal.open(persistenceId, state.revision(),
                state.value()), false, 0, null)
            : new KeyReply.OpResult("not_found", state.revision(), null, false, 0, null));
        case "put" -> {
          if (exists && state.value().counter()) {
            refusal = new KeyReply.OpResult("wrong_kind", state.revision(), null, false, 0, "counter");
          } else {
            event = new KeyEvent.ValuePut(op.value(), op.contentType(), Expiry.after(now, op.ttl()), op.principal(),
                now);
          }
        }
        case "delete" -> {
          if (exists) {
            event = new KeyEvent.ValueDeleted(op.principal(), now);
          } else {
            results.add(new KeyReply.OpResult("not_found", state.revision(), null, false, 0, null));
          }
        }
        case "increment" -> {
          if (exists && !state.value().counter()) {
            refusal = new KeyReply.OpResult("wrong_kind", state.revision(), null, false, 0, "value");
          } else {
            long before = exists ? state.value().count() : 0;
            try {
              Math.addExact(before, op.by());
              event = new KeyEvent.CounterIncremented(op.by(), op.principal(), now);
            } catch (ArithmeticException e) {
              refusal = new KeyReply.OpResult("counter_overflow", state.revision(), null, false, before, null);
            }
          }
        }
        default -> throw new IllegalArgumentException("no transaction operation " + op.op());
      }
      if (refusal != null) {
        results.add(refusal);
        return new Applied(List.of(), results, true);
      }
      if (event != null) {
        long revision = state.revision() + 1;
        KeyEvent sealed = seal.seal(persistenceId, revision, event);
        KeyEvent chained = sealed.withHash(state.chainHead(persistenceId).next(revision, sealed));
        state = state.apply(chained, limits);
        events.add(chained);
        results.add(switch (op.op()) {
          case "put" -> new KeyReply.OpResult("stored", revision, null, !exists, 0, null);
          case "delete" -> new KeyReply.OpResult("deleted", revision, null, false, 0, null);
          default -> new KeyReply.OpResult("counted", revision, null, false, state.value().count(), null);
        });
      }
    }
    return new Applied(events, results, false);
  }
}
