package io.actorkv.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.RequestContext;
import io.actorkv.store.TxnCompare;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/txn}: an atomic transaction in the shape of etcd's. Its
 * {@code compare} conditions are checked against their keys; if all hold,
 * its {@code success} operations are applied, else its {@code failure} ones
 * (get, put, delete, increment, as in {@code POST /v1/batch} but with no
 * preconditions or levels), over at most {@link #MAX_KEYS} keys of strong
 * namespaces. Everything the API can check (shape, limits, keys, values,
 * compares, that every namespace exists and is strong) is checked before
 * anything is applied. With an {@code Idempotency-Key}, a send again of
 * the same transaction gets the first send's outcome instead of a second run.
 */
final class TxnRoutes extends ApiDirectives {

  static final int MAX_KEYS = 64;
  /** Operations in each of compare, success and failure: each key may be read and written. */
  static final int MAX_ENTRIES = 4 * MAX_KEYS;

  /** One condition as sent: {@code target} says which of the value fields it compares with. */
  record Compare(String namespace, String key, String target, String op, Long revision, String value,
                 String valueBase64, Boolean exists, Long counter) {}

  record Txn(List<Compare> compare, List<BatchRoutes.Operation> success, List<BatchRoutes.Operation> failure) {}

  /** A compare once checked, made once its namespace is known. */
  private record PlannedCompare(String namespace, String key, Function<NamespaceDefinition, TxnCompare> make) {}

  private final KeyValueStore store;
  private final NamespaceLookup lookup;
  private final RequestContexts contexts;
  private final Bodies bodies;
  private final BatchRoutes batch;
  private final long maxBytes;

  TxnRoutes(KeyValueStore store, NamespaceLookup lookup, RequestContexts contexts, Bodies bodies,
            BatchRoutes batch, long maxBytes) {
    this.store = store;
    this.lookup = lookup;
    this.contexts = contexts;
    this.bodies = bodies;
    this.batch = batch;
    this.maxBytes = maxBytes;
  }

  Route route() {
    return path("txn", () -> post(() -> extractRequestContext(ctx -> respond(ctx.getRequest(), true, id ->
        bodies.read(ctx.getRequest().entity(), ctx.getMaterializer(), maxBytes).thenCompose(body -> {
          Txn txn = parse(body);
          List<PlannedCompare> compares = listed("compare", txn.compare(), this::plan);
          List<BatchRoutes.Planned> success = listed("success", txn.success(), this::plan);
          List<BatchRoutes.Planned> failure = listed("failure", txn.failure(), this::plan);
          List<String> names = new ArrayList<>();
          Set<String> keys = new HashSet<>();
          compares.forEach(c -> {
            names.add(c.namespace());
            keys.add(c.namespace() + "|" + c.key());
          });
          for (BatchRoutes.Planned p : concat(success, failure)) {
            names.add(p.namespace());
            keys.add(p.namespace() + "|" + p.key());
          }
          if (keys.isEmpty()) throw ApiError.badRequest("bad_txn", EXPECTED + "; name at least one key");
          if (keys.size() > MAX_KEYS) {
            throw ApiError.badRequest("too_many_keys", "a transaction takes at most " + MAX_KEYS
                + " keys; this one names " + keys.size()).with("max", MAX_KEYS);
          }
          RequestContext context = contexts.of(id, ctx.getRequest(),
              KvInput.idempotencyKey(KvInput.header(ctx.getRequest(), "Idempotency-Key")));
          return BatchRoutes.namespaces(lookup, names).thenCompose(found -> {
            KeyRequest.Txn request = request(found, compares, success, failure);
            CompletionStage<KeyOutcome> outcome = store.txn(context, request);
            // respond's errors assume a write (the body was not read yet): one of gets only changed nothing
            return request.writes() ? outcome : outcome.exceptionallyCompose(cause ->
                CompletableFuture.failedFuture(ApiError.from(cause, false, id)));
          });
        }), this::render))));
  }

  private static final String EXPECTED = "expected {\"compare\": [{\"namespace\", \"key\", \"target\": \"revision\"|"
      + "\"value\"|\"exists\"|\"counter\", \"op\": \"=\"|\"!=\"|\"<\"|\">\", and the field named by target}, ...], "
      + "\"success\": [operation, ...], \"failure\": [operation, ...]}";

  private static Txn parse(byte[] body) {
    Txn txn;
    try {
      txn = Json.read(body, Txn.class);
    } catch (JsonMappingException e) {
      throw ApiError.badRequest("bad_txn", EXPECTED + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("bad_txn", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("bad_txn", "the body is not valid JSON");
    }
    if (txn == null) throw ApiError.badRequest("bad_txn", EXPECTED);
    return txn;
  }

  /** Each entry of one of the lists checked; the first bad one refuses the transaction, naming its list and index. */
  private static <T, P> List<P> listed(String list, List<T> entries, Function<T, P> plan) {
    if (entries == null) return List.of();
    if (entries.size() > MAX_ENTRIES) {
      throw ApiError.badRequest("too_many_operations", "a transaction's " + list + " takes at most " + MAX_ENTRIES
          + " entries; this one has " + entries.size()).with("max", MAX_ENTRIES);
    }
    List<P> planned = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      try {
        planned.add(plan.apply(entries.get(i)));
      } catch (ApiError e) {
        throw e.with(list, i);
      }
    }
    return planned;
  }

  private BatchRoutes.Planned plan(BatchRoutes.Operation o) {
    if (o != null && (o.ifMatch() != null || o.ifNoneMatch() != null || o.context() != null || o.r() != null
        || o.w() != null)) {
      throw ApiError.badRequest("bad_operation", "a transaction's operations take no preconditions, contexts or "
          + "levels: state conditions in \"compare\"");
    }
    return batch.plan(o);
  }

  private PlannedCompare plan(Compare c) {
    if (c == null || c.namespace() == null || c.key() == null || c.target() == null || c.op() == null) {
      throw ApiError.badRequest("bad_compare", "each compare needs \"namespace\", \"key\", \"target\" and \"op\"");
    }
    String ns = KvInput.namespace(c.namespace());
    String key = KvInput.plainKey(c.key());
    TxnCompare.Operator op = TxnCompare.Operator.of(c.op());
    if (op == null) throw ApiError.badRequest("bad_compare", "op must be =, !=, < or >, not '" + c.op() + "'");
    int given = (c.revision() == null ? 0 : 1) + (c.value() == null ? 0 : 1) + (c.valueBase64() == null ? 0 : 1)
        + (c.exists() == null ? 0 : 1) + (c.counter() == null ? 0 : 1);
    if (given != 1) {
      throw ApiError.badRequest("bad_compare", "a compare takes exactly one of \"revision\", \"value\", "
          + "\"valueBase64\", \"exists\" and \"counter\", the one its target names");
    }
    TxnCompare.Target target;
    long number = 0;
    byte[] value = null;
    boolean exists = false;
    switch (c.target()) {
      case "revision" -> {
        target = TxnCompare.Target.REVISION;
        number = required(c.revision(), "revision");
        if (number < 0) throw ApiError.badRequest("bad_compare", "a revision is 0 or more");
      }
      case "counter" -> {
        target = TxnCompare.Target.COUNTER;
        number = required(c.counter(), "counter");
      }
      case "exists" -> {
        target = TxnCompare.Target.EXISTS;
        exists = required(c.exists(), "exists");
        if (op != TxnCompare.Operator.EQUAL && op != TxnCompare.Operator.NOT_EQUAL) {
          throw ApiError.badRequest("bad_compare", "exists compares with = or != only");
        }
      }
      case "value" -> {
        target = TxnCompare.Target.VALUE;
        if (c.value() != null) {
          value = KvInput.textValue(c.value(), "bad_compare");
        } else {
          try {
            value = Base64.getDecoder().decode(required(c.valueBase64(), "value"));
          } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad_compare", "valueBase64 is not base64");
          }
        }
      }
      default -> throw ApiError.badRequest("bad_compare",
          "target must be revision, value, exists or counter, not '" + c.target() + "'");
    }
    TxnCompare.Target t = target;
    long n = number;
    byte[] v = value;
    boolean e = exists;
    return new PlannedCompare(ns, key, def -> new TxnCompare(def, key, t, op, n, v, e));
  }

  private static <T> T required(T given, String field) {
    if (given == null) throw ApiError.badRequest("bad_compare", "this target compares with \"" + field + "\"");
    return given;
  }

  /** The transaction's request, once every namespace is known to be strong (400 otherwise, nothing applied). */
  private static KeyRequest.Txn request(Map<String, NamespaceDefinition> namespaces, List<PlannedCompare> compares,
                                        List<BatchRoutes.Planned> success, List<BatchRoutes.Planned> failure) {
    namespaces.values().forEach(n -> {
      if (n.mode() != Mode.STRONG) {
        throw ApiError.badRequest("bad_txn", "namespace '" + n.name() + "' is eventual; transactions apply to "
            + "strong namespaces only").with("namespace", n.name());
      }
    });
    List<TxnCompare> made = compares.stream().map(c -> c.make().apply(namespaces.get(c.namespace()))).toList();
    List<KeyRequest> ifTrue = requests("success", success, namespaces);
    List<KeyRequest> ifFalse = requests("failure", failure, namespaces);
    TxnCompare first = made.isEmpty() ? null : made.get(0);
    KeyRequest firstOp = first != null ? null : !ifTrue.isEmpty() ? ifTrue.get(0) : ifFalse.get(0);
    return first != null
        ? new KeyRequest.Txn(first.namespace(), first.key(), made, ifTrue, ifFalse)
        : new KeyRequest.Txn(firstOp.namespace(), firstOp.key(), made, ifTrue, ifFalse);
  }

  private static List<KeyRequest> requests(String list, List<BatchRoutes.Planned> planned,
                                           Map<String, NamespaceDefinition> namespaces) {
    List<KeyRequest> requests = new ArrayList<>(planned.size());
    for (int i = 0; i < planned.size(); i++) {
      try {
        requests.add(planned.get(i).request().apply(namespaces.get(planned.get(i).namespace())));
      } catch (ApiError e) {
        throw e.with(list, i);
      }
    }
    return requests;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * 200 with whether the compares held and each operation's result, as a
   * batch shows it; 409 naming the operation that could not apply; other
   * outcomes as a single-key request shows them.
   */
  private HttpResponse render(KeyOutcome outcome) {
    if (outcome instanceof KeyOutcome.TxnDone done) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("succeeded", done.succeeded());
      ValueBudget budget = new ValueBudget(maxBytes);
      body.put("results", done.results().stream().map(BatchRoutes::result).map(budget::take).toList());
      return Json.response(StatusCodes.OK, body);
    }
    if (outcome instanceof KeyOutcome.TxnRefused refused) {
      HttpResponse cause = KeyResponses.render(refused.cause());
      Map<String, Object> body = BatchRoutes.result(cause);
      body.remove("status");
      body.put(refused.succeeded() ? "success" : "failure", refused.operation());
      body.put("message", body.get("message") + "; nothing of the transaction was applied");
      return Json.response(cause.status(), body);
    }
    return KeyResponses.render(outcome);
  }
}
