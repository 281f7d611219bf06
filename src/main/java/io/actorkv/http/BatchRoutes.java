package io.actorkv.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.actorkv.namespace.Level;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.KeyRequest;
import io.actorkv.store.KeyValueStore;
import io.actorkv.store.Precondition;
import io.actorkv.store.RequestContext;
import io.actorkv.store.Stamp;
import io.actorkv.store.Value;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/batch}: up to {@link #MAX_OPERATIONS} key operations on
 * any namespaces, each answered with its own result, in order. Not atomic:
 * each operation goes to the store as its single-key request would, all at
 * once but those on one key one after another in the batch's order, so that
 * writes for different keys reach the journal together. At most
 * {@code maxInFlight} operations of all batches are with the stores at a
 * time, the rest wait: the journal takes at most {@code actorkv-journal.buffer-size}
 * (1,000) writes queued and fails the ones over it, so batches must leave
 * room for single requests. Input the API can
 * check itself (the batch's shape, keys, values, TTLs, headers' values,
 * levels, namespaces) is checked for every operation first: one bad
 * operation refuses the whole batch and nothing is applied.
 */
final class BatchRoutes extends ApiDirectives {

  static final int MAX_OPERATIONS = 1000;

  /** One operation as sent; {@code op} says which, and which fields apply. */
  record Operation(String op, String namespace, String key, String value, String valueBase64, String contentType,
                   String ttl, String ifMatch, String ifNoneMatch, String context, String r, String w, Long by) {}

  record Batch(List<Operation> operations) {}

  /** An operation once checked: its key, and the request it makes once its namespace is known. */
  record Planned(String namespace, String key, Function<NamespaceDefinition, KeyRequest> request) {}

  private final KeyValueStore store;
  private final NamespaceLookup lookup;
  private final RequestContexts contexts;
  private final ValueLimits limits;
  private final Bodies bodies;
  private final long maxBytes;
  /** Operations of all batches this node may still hand to the stores now; the others wait in {@link #waiting}. */
  private final AtomicInteger free;
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  BatchRoutes(KeyValueStore store, NamespaceLookup lookup, RequestContexts contexts, ValueLimits limits,
              Bodies bodies, long maxBytes, int maxInFlight) {
    this.store = store;
    this.lookup = lookup;
    this.contexts = contexts;
    this.limits = limits;
    this.bodies = bodies;
    this.maxBytes = maxBytes;
    this.free = new AtomicInteger(maxInFlight);
  }

  Route route() {
    return path("batch", () -> post(() -> extractRequestContext(ctx -> respond(ctx.getRequest(), true, id -> {
      KvInput.noIdempotencyKey(ctx.getRequest(), "a batch");
      return bodies.read(ctx.getRequest().entity(), ctx.getMaterializer(), maxBytes).thenCompose(body -> {
        List<Planned> planned = plan(parse(body));
        RequestContext context = contexts.of(id, ctx.getRequest());
        return namespaces(planned).thenCompose(found -> run(context, planned, found));
      });
    }))));
  }

  private static final String EXPECTED = "expected {\"operations\": [{\"op\": \"get\"|\"put\"|\"delete\"|"
      + "\"increment\", \"namespace\": ..., \"key\": ..., ...}, ...]}";

  private static List<Operation> parse(byte[] body) {
    Batch batch;
    try {
      batch = Json.read(body, Batch.class);
    } catch (JsonMappingException e) {
      throw ApiError.badRequest("bad_batch", EXPECTED + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest("bad_batch", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("bad_batch", "the body is not valid JSON");
    }
    if (batch == null || batch.operations() == null || batch.operations().isEmpty()) {
      throw ApiError.badRequest("bad_batch", EXPECTED + "; give 1 to " + MAX_OPERATIONS + " operations");
    }
    if (batch.operations().size() > MAX_OPERATIONS) {
      throw ApiError.badRequest("too_many_operations", "a batch takes at most " + MAX_OPERATIONS
          + " operations; this one has " + batch.operations().size()).with("max", MAX_OPERATIONS);
    }
    return batch.operations();
  }

  /** Checks every operation; the first bad one refuses the batch, naming its index. */
  private List<Planned> plan(List<Operation> operations) {
    List<Planned> planned = new ArrayList<>(operations.size());
    for (int i = 0; i < operations.size(); i++) {
      try {
        planned.add(plan(operations.get(i)));
      } catch (ApiError e) {
        throw e.with("operation", i);
      }
    }
    return planned;
  }

  Planned plan(Operation o) {
    if (o == null || o.op() == null) throw ApiError.badRequest("bad_operation", "each operation needs \"op\"");
    if (o.namespace() == null || o.key() == null) {
      throw ApiError.badRequest("bad_operation", "each operation needs \"namespace\" and \"key\"");
    }
    String ns = KvInput.namespace(o.namespace());
    String key = KvInput.plainKey(o.key());
    Optional<String> context = Optional.ofNullable(o.context());
    return switch (o.op()) {
      case "get" -> {
        only(o, "get", o.r() == null ? 0 : 1);
        Optional<Level> level = KvInput.level("r", Optional.ofNullable(o.r()));
        yield new Planned(ns, key, n -> new KeyRequest.Get(n, key, level));
      }
      case "put" -> {
        if (o.r() != null || o.by() != null) {
          throw ApiError.badRequest("bad_operation", "a put takes only the fields its single-key request has");
        }
        if ((o.value() == null) == (o.valueBase64() == null)) {
          throw ApiError.badRequest("bad_operation", "a put needs exactly one of \"value\" and \"valueBase64\"");
        }
        byte[] value = o.value() != null ? KvInput.textValue(o.value(), "bad_operation") : base64(o.valueBase64());
        String contentType = o.contentType() != null ? KvInput.contentType(o.contentType(), "bad_operation")
            : o.value() != null ? "text/plain; charset=UTF-8" : "application/octet-stream";
        Optional<Duration> ttl = Optional.ofNullable(KvInput.ttl(Optional.ofNullable(o.ttl())));
        Precondition pre = precondition(o);
        Optional<Level> level = KvInput.level("w", Optional.ofNullable(o.w()));
        yield new Planned(ns, key, n -> {
          long limit = limits.of(n.mode());
          if (value.length > limit) {
            throw ApiError.of(StatusCodes.PAYLOAD_TOO_LARGE, "value_too_large",
                "a value is over the limit of " + limit + " bytes; nothing was stored").with("limit", limit);
          }
          return new KeyRequest.Put(n, key, value, contentType, ttl, pre, context, level);
        });
      }
      case "delete" -> {
        only(o, "delete", (o.ifMatch() == null ? 0 : 1) + (o.ifNoneMatch() == null ? 0 : 1)
            + (o.context() == null ? 0 : 1) + (o.w() == null ? 0 : 1));
        Precondition pre = precondition(o);
        Optional<Level> level = KvInput.level("w", Optional.ofNullable(o.w()));
        yield new Planned(ns, key, n -> new KeyRequest.Delete(n, key, pre, context, level));
      }
      case "increment" -> {
        only(o, "increment", (o.by() == null ? 0 : 1) + (o.w() == null ? 0 : 1));
        long by = o.by() == null ? 1 : o.by();
        Optional<Level> level = KvInput.level("w", Optional.ofNullable(o.w()));
        yield new Planned(ns, key, n -> new KeyRequest.Increment(n, key, by, level));
      }
      default -> throw ApiError.badRequest("bad_operation",
          "op must be get, put, delete or increment, not '" + o.op() + "'");
    };
  }

  /** Refuses fields that {@code op} does not take: {@code taken} of the fields set are ones it takes. */
  private static void only(Operation o, String op, int taken) {
    int set = 0;
    for (Object field : new Object[] {o.value(), o.valueBase64(), o.contentType(), o.ttl(), o.ifMatch(),
        o.ifNoneMatch(), o.context(), o.r(), o.w(), o.by()}) {
      if (field != null) set++;
    }
    if (set > taken) {
      throw ApiError.badRequest("bad_operation", "a " + op + " takes only the fields its single-key request has");
    }
  }

  private static Precondition precondition(Operation o) {
    return KvInput.precondition(Optional.ofNullable(o.ifMatch()), Optional.ofNullable(o.ifNoneMatch()));
  }

  private static byte[] base64(String given) {
    try {
      return Base64.getDecoder().decode(given);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_operation", "valueBase64 is not base64");
    }
  }

  /** Every namespace the batch names, found before anything is applied. */
  private CompletionStage<Map<String, NamespaceDefinition>> namespaces(List<Planned> planned) {
    return namespaces(lookup, planned.stream().map(Planned::namespace).toList());
  }

  /** Every namespace of {@code names}, found before anything is applied. */
  static CompletionStage<Map<String, NamespaceDefinition>> namespaces(NamespaceLookup lookup, List<String> names) {
    Map<String, CompletableFuture<NamespaceDefinition>> found = new HashMap<>();
    for (String name : names) found.computeIfAbsent(name, n -> lookup.find(n).toCompletableFuture());
    return CompletableFuture.allOf(found.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, NamespaceDefinition> all = new HashMap<>();
      found.forEach((name, f) -> all.put(name, f.join()));
      return all;
    });
  }

  /**
   * Makes every request (a value over its namespace's limit refuses the
   * batch here, still before anything is applied), then runs them: at once,
   * but each after the one before it on the same key.
   */
  private CompletionStage<HttpResponse> run(RequestContext context, List<Planned> planned,
                                            Map<String, NamespaceDefinition> namespaces) {
    List<KeyRequest> requests = new ArrayList<>(planned.size());
    for (int i = 0; i < planned.size(); i++) {
      Planned p = planned.get(i);
      try {
        KeyRequest request = p.request().apply(namespaces.get(p.namespace()));
        (request.namespace().mode() == Mode.STRONG ? request.refusedByStrong() : request.refusedByEventual())
            .ifPresent(r -> {
              throw ApiError.badRequest(r.code(), r.message());
            });
        requests.add(request);
      } catch (ApiError e) {
        throw e.with("operation", i);
      }
    }
    Map<String, CompletableFuture<Map<String, Object>>> lastOnKey = new HashMap<>();
    List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>(requests.size());
    ValueBudget budget = new ValueBudget(maxBytes);
    for (KeyRequest request : requests) {
      String onKey = request.namespace().name() + "|" + request.key();
      CompletableFuture<Map<String, Object>> before = lastOnKey.get(onKey);
      Supplier<CompletionStage<Map<String, Object>>> work = () -> execute(context, request, budget);
      CompletableFuture<Map<String, Object>> result = (before == null
          ? limited(work)
          : before.thenCompose(ignored -> limited(work))).toCompletableFuture();
      lastOnKey.put(onKey, result);
      results.add(result);
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done ->
        Json.response(StatusCodes.OK, Map.of("results", results.stream().map(CompletableFuture::join).toList())));
  }

  /** {@code work} once one of the node's {@code maxInFlight} places is free; the place is free again after it. */
  private <T> CompletionStage<T> limited(Supplier<CompletionStage<T>> work) {
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waiting.add(() -> turn.complete(null));
    admit();
    return turn.thenCompose(ignored -> work.get()).whenComplete((result, failure) -> {
      free.incrementAndGet();
      admit();
    });
  }

  /** Starts waiting operations while places are free. */
  private void admit() {
    while (!waiting.isEmpty()) {
      int places = free.get();
      if (places == 0) return;
      if (!free.compareAndSet(places, places - 1)) continue;
      Runnable next = waiting.poll();
      if (next == null) {
        free.incrementAndGet(); // another thread took the last one; a new waiter admits itself
        continue;
      }
      next.run();
    }
  }

  /**
   * One operation's result; a failure (a timeout) is its result, never the
   * batch's. A GET's value takes its share of {@code budget}, and a GET is
   * not made once the budget is spent.
   */
  private CompletionStage<Map<String, Object>> execute(RequestContext context, KeyRequest request,
                                                       ValueBudget budget) {
    CompletionStage<KeyOutcome> outcome;
    if (request instanceof KeyRequest.Get get) {
      if (budget.spent()) return CompletableFuture.completedFuture(budget.tooLarge());
      outcome = store.get(context, get);
    } else if (request instanceof KeyRequest.Put put) {
      outcome = store.put(context, put);
    } else if (request instanceof KeyRequest.Delete delete) {
      outcome = store.delete(context, delete);
    } else {
      outcome = store.increment(context, (KeyRequest.Increment) request);
    }
    boolean write = !(request instanceof KeyRequest.Get);
    return outcome.handle((o, failure) -> failure != null
        ? result(ApiError.from(failure, write, context.requestId()).response())
        : budget.take(result(o)));
  }

  /** An outcome as a batch shows it: the status and body its single-key request would answer. */
  static Map<String, Object> result(KeyOutcome outcome) {
    if (outcome instanceof KeyOutcome.Found found && found.values().size() == 1) {
      Value v = found.values().get(0);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("status", 200);
      r.put("value", Base64.getEncoder().encodeToString(v.bytes()));
      r.put("contentType", v.contentType());
      if (found.stamp() instanceof Stamp.Revision rev) r.put("revision", rev.number());
      if (found.stamp() instanceof Stamp.Context c) r.put("context", c.token());
      r.put("modified", v.modified());
      v.expires().instant().ifPresent(e -> r.put("expires", e));
      return r;
    }
    return result(KeyResponses.render(outcome));
  }

  /** A rendered answer as a result: its status, its JSON body's fields, and the revision or context it carries. */
  static Map<String, Object> result(HttpResponse response) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("status", response.status().intValue());
    byte[] body = ((HttpEntity.Strict) response.entity()).getData().toArray();
    if (response.entity().getContentType().mediaType().toString().equals("application/json") && body.length > 0) {
      try {
        r.putAll(Json.MAPPER.readValue(body, Map.class));
      } catch (IOException e) {
        throw new IllegalStateException("an answer of ours is not JSON", e);
      }
    } else if (body.length > 0) {
      // A value served as it is (an eventual counter's number): base64, as every value in a result is.
      r.put("value", Base64.getEncoder().encodeToString(body));
      r.put("contentType", response.entity().getContentType().toString());
    }
    response.getHeader(KeyResponses.REVISION_HEADER).ifPresent(h -> r.putIfAbsent("revision", Long.parseLong(h.value())));
    response.getHeader(KeyResponses.CONTEXT_HEADER).ifPresent(h -> r.putIfAbsent("context", h.value()));
    return r;
  }
}
