package io.actorkv.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.actorkv.base.Stages;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.security.Access;
import io.actorkv.security.Permission;
import io.actorkv.store.ChangeLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /v1/watch/{ns}}: a strong namespace's changes as they commit,
 * as server-sent events or NDJSON, resumable by offset; and
 * {@code GET /v1/audit/{ns}}: the same changes in pages, filtered by time and
 * principal. Both read the journal ({@link ChangeLog}), not the keys.
 */
final class FeedRoutes extends ApiDirectives {

  static final String OFFSET_HEADER = "X-KV-Offset";
  private static final ContentType.WithFixedCharset SSE = ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM);
  private static final ContentType.WithFixedCharset NDJSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8));
  private static final ByteString SSE_HEARTBEAT = ByteString.fromString(": heartbeat\n\n");
  private static final ByteString NDJSON_HEARTBEAT = ByteString.fromString("{\"heartbeat\":true}\n");

  private final ChangeLog changes;
  private final NamespaceLookup namespaces;
  private final Guard guard;
  private final Duration heartbeat;
  private final Duration timeout;

  /** {@code timeout}: how long a page, or the head a watch starts at, may take to read. */
  FeedRoutes(ChangeLog changes, NamespaceLookup namespaces, Guard guard, Duration heartbeat, Duration timeout) {
    this.changes = changes;
    this.namespaces = namespaces;
    this.guard = guard;
    this.heartbeat = heartbeat;
    this.timeout = timeout;
  }

  /**
   * Both take read on the keys asked for ({@code key=}, {@code prefix=}, or
   * any key of the namespace), and show only changes of keys the caller may
   * read: the filter is narrowed to the granted prefixes.
   */
  Route route() {
    return concat(
        pathPrefix("watch", () -> namespaceSegment(ns -> get(() -> readable(ns, (request, access) ->
            watch(ns, request, access))))),
        pathPrefix("audit", () -> namespaceSegment(ns -> get(() -> readable(ns, (request, access) ->
            audit(ns, request, access))))));
  }

  private Route readable(String ns, BiFunction<HttpRequest, Access, Route> inner) {
    return extractRequest(request -> {
      Query q = request.getUri().query();
      Optional<String> key = KvInput.parameter(q, "key");
      Optional<String> prefix = KvInput.parameter(q, "prefix");
      String asked = key.map(k -> "key '" + k + "'").or(() -> prefix.map(p -> "keys under '" + p + "'"))
          .orElse("some key");
      return guard.authorized(access -> readsAny(access, ns, key, prefix),
          "read on " + asked + " of namespace '" + ns + "'", access -> inner.apply(request, access));
    });
  }

  /** Whether any key the filter asks for is one the caller may read. */
  private static boolean readsAny(Access access, String ns, Optional<String> key, Optional<String> prefix) {
    if (key.isPresent()) return access.permits(Permission.READ, ns, key.get());
    return access.readablePrefixes(ns).map(granted -> granted.stream().anyMatch(g ->
        prefix.map(p -> g.startsWith(p) || p.startsWith(g)).orElse(true))).orElse(true);
  }

  /** The filter, narrowed to the keys the caller may read. */
  private static ChangeLog.Filter narrowed(Query q, Access access, String ns) {
    ChangeLog.Filter filter = KvInput.changeFilter(q);
    return access.readablePrefixes(ns).map(filter::readableOnly).orElse(filter);
  }

  private Route watch(String ns, HttpRequest request, Access access) {
    return respond(request, false, id -> {
      Query q = request.getUri().query();
      OptionalLong from = KvInput.offset("from", KvInput.parameter(q, "from"));
      // A reconnecting EventSource sends Last-Event-ID and the URL it first had: the header is newer.
      OptionalLong lastEventId = KvInput.offset("Last-Event-ID", KvInput.header(request, "Last-Event-ID"));
      ChangeLog.Filter filter = narrowed(q, access, ns);
      if (filter.since().isPresent() || filter.until().isPresent() || filter.principal().isPresent()) {
        throw ApiError.badRequest("bad_parameter", "a watch filters by key or prefix only; since, until and "
            + "principal are for GET /v1/audit/{namespace}");
      }
      boolean values = KvInput.flag("values", KvInput.parameter(q, "values"));
      boolean ndjson = KvInput.header(request, "Accept").map(a -> a.contains("application/x-ndjson")).orElse(false);
      OptionalLong start = lastEventId.isPresent() ? lastEventId : from;
      return strong(ns, "watch").thenCompose(namespace ->
          (start.isPresent() ? CompletableFuture.completedFuture(start.getAsLong())
              : Stages.within(changes.head(), timeout))
              .thenApply(after -> stream(namespace, after, filter, values, ndjson, request)));
    });
  }

  /**
   * The changes after {@code after}, each sent only while the request's token
   * still lets its caller read that key: the stream ends at the first change
   * it no longer may (the token revoked, a role or binding taken away), and
   * when the token expires. It was checked once, at the start, and a watch
   * opened before a revocation went on sending values.
   */
  private HttpResponse stream(NamespaceDefinition namespace, long after, ChangeLog.Filter filter, boolean values,
                              boolean ndjson, HttpRequest request) {
    String ns = namespace.name();
    var allowed = changes.follow(namespace.storageName(), after, filter)
        .takeWhile(entry -> guard.accessNow(request).map(a -> a.permits(Permission.READ, ns, entry.key()))
            .orElse(false));
    var events = guard.validFor(request).map(allowed::takeWithin).orElse(allowed)
        .map(entry -> ndjson ? ndjsonLine(entry, values) : sseEvent(entry, values))
        .keepAlive(heartbeat, () -> ndjson ? NDJSON_HEARTBEAT : SSE_HEARTBEAT);
    return HttpResponse.create()
        .withEntity(HttpEntities.createChunked(ndjson ? NDJSON : SSE, events))
        .addHeader(RawHeader.create(OFFSET_HEADER, Long.toString(after)))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"));
  }

  private static ByteString sseEvent(ChangeLog.Entry entry, boolean values) {
    return ByteString.fromString("id: " + entry.offset() + "\nevent: change\ndata: " + json(entry, values) + "\n\n",
        StandardCharsets.UTF_8);
  }

  private static ByteString ndjsonLine(ChangeLog.Entry entry, boolean values) {
    return ByteString.fromString(json(entry, values) + "\n", StandardCharsets.UTF_8);
  }

  private static String json(ChangeLog.Entry entry, boolean values) {
    try {
      return Json.MAPPER.writeValueAsString(entry.fields(values));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a change did not render as JSON", e);
    }
  }

  /** A page of the namespace's changes in journal order, with the offset to ask after next. */
  private Route audit(String ns, HttpRequest request, Access access) {
    return respond(request, false, id -> {
      Query q = request.getUri().query();
      ChangeLog.Filter filter = narrowed(q, access, ns);
      int limit = KvInput.limit(KvInput.parameter(q, "limit"), KvInput.MAX_HISTORY_LIMIT);
      long cursor = KvInput.offset("cursor", KvInput.parameter(q, "cursor")).orElse(0);
      boolean values = KvInput.flag("values", KvInput.parameter(q, "values"));
      return strong(ns, "audit").thenCompose(namespace ->
          Stages.within(changes.page(namespace.storageName(), cursor, limit, filter), timeout).thenApply(page -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("changes", page.entries().stream().map(e -> e.fields(values)).toList());
            body.put("next", Long.toString(page.next()));
            return Json.response(StatusCodes.OK, body);
          }));
    });
  }

  /** The namespace, which must be strong: eventual ones keep no journal of their changes. */
  private CompletionStage<NamespaceDefinition> strong(String ns, String what) {
    return namespaces.find(ns).thenApply(namespace -> {
      if (namespace.mode() != Mode.STRONG) {
        throw ApiError.badRequest(what + "_requires_strong", "namespace '" + namespace.name()
            + "' is eventual: its changes are merged between replicas, not appended to the journal, so there is "
            + "nothing to " + what).with("namespace", namespace.name());
      }
      return namespace;
    });
  }
}
