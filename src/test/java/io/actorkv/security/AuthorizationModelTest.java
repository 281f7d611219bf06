package io.actorkv.security;

import static io.actorkv.testing.KvClient.json;
import static io.actorkv.testing.TestTokens.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.actorkv.node.Node;
import io.actorkv.testing.Await;
import io.actorkv.testing.KvClient;
import io.actorkv.testing.TestNodes;
import io.actorkv.testing.TestTokens;
import io.actorkv.testing.Watcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated grants, principals and requests against a small reference model
 * of the rules, each through the real HTTP server (one node, H2, started
 * once): a request is answered 403 exactly when the model forbids it, and
 * no answer, allowed or not, holds a key or value the principal may not
 * read, the change feed, the audit endpoint, listings, counts, range
 * deletes and batches included.
 */
class AuthorizationModelTest {

  static final List<String> NAMESPACES = List.of("ns-a", "ns-b");
  static final List<String> KEYS = List.of("a", "ab", "abc", "b", "ba", "c");
  static final List<String> PREFIXES = List.of("", "a", "ab", "b", "x");
  static final ObjectMapper JSON = new ObjectMapper();

  static Path dir;
  static Node node;
  static KvClient kv;
  static String[] admin;
  static String[] subject;
  static String[] root;

  @BeforeContainer
  static void start() throws IOException {
    dir = Files.createTempDirectory("authz-properties");
    TestTokens tokens = new TestTokens(dir);
    node = TestNodes.start(TestNodes.settings(dir.resolve("data"), null, List.of()), ConfigFactory.empty()
        .withValue("actorkv.auth.secret-file", ConfigValueFactory.fromAnyRef(tokens.secretFile.toString()))
        .withValue("actorkv.feed.heartbeat", ConfigValueFactory.fromAnyRef("100ms")));
    kv = new KvClient(node.httpPort());
    admin = bearer(tokens.hs256("admin", "root"));
    subject = bearer(tokens.hs256("tester"));
    root = bearer(tokens.hs256("tester-root", "root"));
    for (String ns : NAMESPACES) {
      ok(kv.send("PUT", "/v1/namespaces/" + ns, "{\"mode\":\"strong\"}", admin));
      for (String key : KEYS) ok(kv.put(ns, key, value(ns, key), admin));
    }
    ok(kv.send("PUT", "/v1/auth/roles/tested", "{\"grants\":[]}", admin));
    ok(kv.send("PUT", "/v1/auth/bindings/subject/tester", "{\"roles\":[\"tested\"]}", admin));
  }

  @AfterContainer
  static void stop() throws IOException {
    node.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static void ok(HttpResponse<String> r) {
    assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.body());
  }

  /** Every key's value, the same at every revision, so that an answer holding it shows where it came from. */
  static String value(String ns, String key) {
    return "V" + ns + "." + key + "Z";
  }

  // --- the reference model ---

  enum Perm { READ, WRITE, ADMIN }

  record G(Perm perm, String ns, String prefix) {
    boolean covers(String namespace) {
      return ns.equals("*") || ns.equals(namespace);
    }
  }

  static boolean permits(List<G> grants, Perm wanted, String ns, String key) {
    return grants.stream().anyMatch(g -> g.perm().compareTo(wanted) >= 0 && g.covers(ns) && key.startsWith(g.prefix()));
  }

  static boolean whole(List<G> grants, Perm wanted, String ns) {
    return grants.stream().anyMatch(g -> g.perm().compareTo(wanted) >= 0 && g.covers(ns) && g.prefix().isEmpty());
  }

  /**
   * Whether one grant holds the whole range [start, end) of {@code ns}, as a
   * listing or range delete needs: its prefix is empty, or the range lies
   * inside the keys that start with it (the keys here are ASCII, so the
   * prefix's range ends where its last character is one higher).
   */
  static boolean holdsRange(List<G> grants, Perm wanted, String ns, String start, Optional<String> end) {
    return grants.stream().anyMatch(g -> g.perm().compareTo(wanted) >= 0 && g.covers(ns) && (g.prefix().isEmpty()
        || start.compareTo(g.prefix()) >= 0 && end.isPresent() && end.get().compareTo(prefixEnd(g.prefix())) <= 0));
  }

  static String prefixEnd(String prefix) {
    return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }

  /** The keys of the range [start, end), all of which are live whenever a case starts. */
  static List<String> inRange(String start, Optional<String> end) {
    return KEYS.stream().filter(k -> k.compareTo(start) >= 0 && end.map(e -> k.compareTo(e) < 0).orElse(true))
        .sorted().toList();
  }

  static boolean sees(List<G> grants, String ns) {
    return grants.stream().anyMatch(g -> g.covers(ns));
  }

  /** The keys of {@code ns} a feed or audit page with this filter must show: readable, and asked for. */
  static Set<String> shown(List<G> grants, String ns, Optional<String> key, Optional<String> prefix) {
    Set<String> keys = new TreeSet<>();
    for (String k : KEYS) {
      if (permits(grants, Perm.READ, ns, k) && key.map(k::equals).orElse(true)
          && prefix.map(k::startsWith).orElse(true)) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** Whether a feed or audit request with this filter is allowed: some key it asks for is readable. */
  static boolean feedAllowed(List<G> grants, String ns, Optional<String> key, Optional<String> prefix) {
    if (key.isPresent()) return permits(grants, Perm.READ, ns, key.get());
    if (whole(grants, Perm.READ, ns)) return true;
    return grants.stream().anyMatch(g -> g.perm().compareTo(Perm.READ) >= 0 && g.covers(ns)
        && prefix.map(p -> g.prefix().startsWith(p) || p.startsWith(g.prefix())).orElse(true));
  }

  // --- the cases ---

  enum Op { GET, GET_REVISION, HISTORY, PUT, INCREMENT, REVERT, DELETE_NAMESPACE, SHRED_NAMESPACE, PUT_NAMESPACE,
    SHOW_NAMESPACE, LIST_NAMESPACES, CLUSTER, ROLES, WHOAMI, AUDIT, WATCH, LIST, COUNT, RANGE_DELETE, BATCH }

  /** A batch's operation: a read, or a write of the value the key always has. */
  record BatchOp(boolean put, String ns, String key) {}

  /**
   * A range for a listing, count or range delete: a prefix (start = the
   * prefix, end = where its keys end) or a start key and, optionally, an end
   * key after it.
   */
  record Range(Optional<String> prefix, String start, Optional<String> end) {
    String query() {
      return prefix.map(p -> "prefix=" + KvClient.encode(p)).orElseGet(() -> "start=" + KvClient.encode(start)
          + end.map(e -> "&end=" + KvClient.encode(e)).orElse(""));
    }
  }

  record Case(List<G> grants, boolean claimsRoot, Op op, String ns, String key, Optional<String> keyFilter,
              Optional<String> prefixFilter, Extra extra) {
    List<G> effective() {
      return claimsRoot ? List.of(new G(Perm.ADMIN, "*", "")) : grants;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<G> grant = Combinators.combine(Arbitraries.of(Perm.class),
        Arbitraries.of("ns-a", "ns-b", "*"), Arbitraries.of(PREFIXES)).as(G::new);
    Arbitrary<Optional<String>> keyFilter = Arbitraries.of(KEYS).optional(0.25);
    Arbitrary<Optional<String>> prefixFilter = Arbitraries.of(PREFIXES).optional(0.4);
    return Combinators.combine(grant.list().ofMaxSize(3), Arbitraries.of(true, false, false, false, false, false,
            false, false, false, false), Arbitraries.of(Op.class), Arbitraries.of(NAMESPACES), Arbitraries.of(KEYS),
        keyFilter, prefixFilter, extras())
        .as((grants, root, op, ns, key, kf, pf, extra) -> new Case(grants, root, op, ns, key,
            kf.isPresent() ? kf : Optional.empty(), kf.isPresent() ? Optional.empty() : pf, extra));
  }

  /** What only some operations use: a range, and a batch's operations. */
  record Extra(Range range, List<BatchOp> batch) {}

  static Arbitrary<Extra> extras() {
    Arbitrary<Range> byPrefix = Arbitraries.of(PREFIXES).map(p -> new Range(Optional.of(p), p,
        p.isEmpty() ? Optional.empty() : Optional.of(prefixEnd(p))));
    Arbitrary<Range> byKeys = Arbitraries.integers().between(0, KEYS.size() - 1).flatMap(from ->
        Arbitraries.integers().between(from + 1, KEYS.size()).map(to -> new Range(Optional.empty(), KEYS.get(from),
            to == KEYS.size() ? Optional.empty() : Optional.of(KEYS.get(to)))));
    Arbitrary<BatchOp> batchOp = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(NAMESPACES),
        Arbitraries.of(KEYS)).as(BatchOp::new);
    return Combinators.combine(Arbitraries.oneOf(byPrefix, byKeys), batchOp.list().ofMinSize(1).ofMaxSize(4))
        .as(Extra::new);
  }

  @Property(tries = 2000, seed = "20261206")
  void aRequestIsAllowedExactlyWhenTheModelAllowsItAndNothingOutOfScopeIsShown(@ForAll("cases") Case c) {
    ok(kv.send("PUT", "/v1/auth/roles/tested", grantsJson(c.grants()), admin));
    String[] token = c.claimsRoot() ? root : subject;
    List<G> grants = c.effective();
    String k = KvClient.encode(c.key());

    HttpResponse<String> answer;
    boolean allowed;
    switch (c.op()) {
      case GET -> {
        answer = kv.get(c.ns(), c.key(), token);
        allowed = permits(grants, Perm.READ, c.ns(), c.key());
      }
      case GET_REVISION -> {
        answer = kv.send("GET", "/v1/kv/" + c.ns() + "/" + k + "?revision=1", null, token);
        allowed = permits(grants, Perm.READ, c.ns(), c.key());
      }
      case HISTORY -> {
        answer = kv.send("GET", "/v1/history/" + c.ns() + "/" + k, null, token);
        allowed = permits(grants, Perm.READ, c.ns(), c.key());
      }
      case PUT -> {
        answer = kv.put(c.ns(), c.key(), value(c.ns(), c.key()), token);
        allowed = permits(grants, Perm.WRITE, c.ns(), c.key());
      }
      case INCREMENT -> {
        answer = kv.send("POST", "/v1/kv/" + c.ns() + "/" + k + "/increment", null, token);
        allowed = permits(grants, Perm.WRITE, c.ns(), c.key());
      }
      case REVERT -> {
        answer = kv.send("POST", "/v1/kv/" + c.ns() + "/" + k + "/revert?to=1", null, token);
        allowed = permits(grants, Perm.WRITE, c.ns(), c.key());
      }
      case DELETE_NAMESPACE -> {
        answer = kv.send("DELETE", "/v1/namespaces/" + c.ns(), null, token);
        allowed = whole(grants, Perm.ADMIN, c.ns());
      }
      case SHRED_NAMESPACE -> {
        // No master key on this node: an admin is told 409 cannot_shred, anyone else 403; nothing is shredded.
        answer = kv.send("DELETE", "/v1/namespaces/" + c.ns() + "?shred=true", null, token);
        allowed = whole(grants, Perm.ADMIN, c.ns());
      }
      case PUT_NAMESPACE -> {
        answer = kv.send("PUT", "/v1/namespaces/" + c.ns(), "{\"mode\":\"strong\"}", token);
        allowed = whole(grants, Perm.ADMIN, c.ns());
      }
      case SHOW_NAMESPACE -> {
        answer = kv.send("GET", "/v1/namespaces/" + c.ns(), null, token);
        allowed = sees(grants, c.ns());
      }
      case LIST_NAMESPACES -> {
        answer = kv.send("GET", "/v1/namespaces", null, token);
        allowed = true;
        Set<String> listed = new TreeSet<>();
        json(answer).get("namespaces").forEach(n -> listed.add(n.get("name").asText()));
        Set<String> expected = new TreeSet<>();
        for (String ns : List.of("default", "ns-a", "ns-b")) if (sees(grants, ns)) expected.add(ns);
        assertEquals(expected, listed, c.toString());
      }
      case CLUSTER -> {
        answer = kv.send("GET", "/v1/cluster", null, token);
        allowed = whole(grants, Perm.ADMIN, "*");
      }
      case ROLES -> {
        answer = kv.send("GET", "/v1/auth/roles", null, token);
        allowed = whole(grants, Perm.ADMIN, "*");
      }
      case WHOAMI -> {
        answer = kv.send("GET", "/v1/auth/whoami", null, token);
        allowed = true;
      }
      case AUDIT -> {
        answer = kv.send("GET", "/v1/audit/" + c.ns() + "?values=true&limit=1000" + filterQuery(c), null, token);
        allowed = feedAllowed(grants, c.ns(), c.keyFilter(), c.prefixFilter());
        if (answer.statusCode() == 200) {
          assertEquals(shown(grants, c.ns(), c.keyFilter(), c.prefixFilter()), keys(json(answer).get("changes")),
              c.toString());
        }
      }
      case WATCH -> {
        String path = "/v1/watch/" + c.ns() + "?from=0&values=true" + filterQuery(c);
        try (Watcher watch = Watcher.open(node.httpPort(), path, token)) {
          allowed = feedAllowed(grants, c.ns(), c.keyFilter(), c.prefixFilter());
          assertEquals(allowed ? 200 : 403, watch.status(), c.toString());
          if (watch.status() == 200) {
            Await.until(Duration.ofSeconds(10), () -> watch.heartbeats() > 0);
            ArrayNode events = JSON.createArrayNode();
            watch.drain().forEach(e -> events.add(e.data()));
            assertEquals(shown(grants, c.ns(), c.keyFilter(), c.prefixFilter()), keys(events), c.toString());
            assertNoLeak(events.toString(), grants, c);
          }
          return;
        }
      }
      case LIST -> {
        Range range = c.extra().range();
        answer = kv.send("GET", "/v1/kv/" + c.ns() + "?keysOnly=false&limit=1000&" + range.query(), null, token);
        allowed = holdsRange(grants, Perm.READ, c.ns(), range.start(), range.end());
        if (answer.statusCode() == 200) {
          List<String> listed = new ArrayList<>();
          json(answer).get("keys").forEach(entry -> listed.add(entry.get("key").asText()));
          assertEquals(inRange(range.start(), range.end()), listed, c.toString());
        }
      }
      case COUNT -> {
        Range range = c.extra().range();
        answer = kv.send("GET", "/v1/kv/" + c.ns() + "?count=true&" + range.query(), null, token);
        allowed = holdsRange(grants, Perm.READ, c.ns(), range.start(), range.end());
        if (answer.statusCode() == 200) {
          assertEquals(inRange(range.start(), range.end()).size(), json(answer).get("count").asInt(), c.toString());
        }
      }
      case RANGE_DELETE -> {
        Range range = c.extra().range();
        answer = kv.send("DELETE", "/v1/kv/" + c.ns() + "?" + range.query(), null, token);
        if (range.start().isEmpty() && range.end().isEmpty()) { // names every key: refused for anyone
          assertEquals(400, answer.statusCode(), c + " " + answer.body());
          return;
        }
        allowed = holdsRange(grants, Perm.WRITE, c.ns(), range.start(), range.end());
        if (answer.statusCode() == 200) {
          List<String> deleted = inRange(range.start(), range.end());
          assertEquals(deleted.size(), json(answer).get("deleted").asInt(), c.toString());
          for (String key : deleted) ok(kv.put(c.ns(), key, value(c.ns(), key), admin));
        }
      }
      case BATCH -> {
        answer = kv.send("POST", "/v1/batch", batchJson(c.extra().batch()), token);
        allowed = true;
        assertEquals(200, answer.statusCode(), c + " " + answer.body());
        JsonNode results = json(answer).get("results");
        for (int i = 0; i < c.extra().batch().size(); i++) {
          BatchOp op = c.extra().batch().get(i);
          boolean opAllowed = permits(grants, op.put() ? Perm.WRITE : Perm.READ, op.ns(), op.key());
          int status = results.get(i).get("status").asInt();
          assertEquals(opAllowed, status != 403, c + " operation " + i + " answered " + results.get(i));
          assertTrue(status < 300 || !opAllowed, c + " operation " + i + " answered " + results.get(i));
        }
      }
      default -> throw new IllegalStateException("no case for " + c.op());
    }
    assertTrue(answer.statusCode() != 401, answer.body());
    assertEquals(allowed, answer.statusCode() != 403, c + " answered " + answer.statusCode() + " " + answer.body());
    if (!allowed) assertEquals("forbidden", json(answer).get("error").asText());
    assertNoLeak(answer.body(), grants, c);
  }

  static String filterQuery(Case c) {
    return c.keyFilter().map(k -> "&key=" + KvClient.encode(k)).orElse("")
        + c.prefixFilter().map(p -> "&prefix=" + KvClient.encode(p)).orElse("");
  }

  static Set<String> keys(JsonNode changes) {
    Set<String> keys = new TreeSet<>();
    changes.forEach(change -> keys.add(change.get("key").asText()));
    return keys;
  }

  /** No value of a key the principal may not read, as bytes or base64, is in {@code body}. */
  static void assertNoLeak(String body, List<G> grants, Case c) {
    for (String ns : NAMESPACES) {
      for (String key : KEYS) {
        if (permits(grants, Perm.READ, ns, key)) continue;
        String v = value(ns, key);
        String b64 = Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8));
        assertFalse(body.contains(v) || body.contains(b64), c + " showed the value of " + ns + "/" + key + ": " + body);
      }
    }
  }

  static String batchJson(List<BatchOp> ops) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("operations");
    for (BatchOp op : ops) {
      ObjectNode o = list.addObject().put("op", op.put() ? "put" : "get").put("namespace", op.ns())
          .put("key", op.key());
      if (op.put()) o.put("value", value(op.ns(), op.key()));
    }
    return body.toString();
  }

  static String grantsJson(List<G> grants) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("grants");
    for (G g : grants) {
      list.addObject().put("permission", g.perm().name().toLowerCase()).put("namespace", g.ns())
          .put("prefix", g.prefix());
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
