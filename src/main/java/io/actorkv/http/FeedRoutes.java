package io.actorkv.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.actorkv.namespace.Mode;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.store.ChangeLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
  private final Duration heartbeat;

  FeedRoutes(ChangeLog changes, NamespaceLookup namespaces, Duration heartbeat) {
    this.changes = changes;
    this.namespaces = namespaces;
    this.heartbeat = heartbeat;
  }

  Route route() {
    return concat(
        pathPrefix("watch", () -> path(segment(), ns -> get(() -> extractRequest(request -> watch(ns, request))))),
        pathPrefix("audit", () -> path(segment(), ns -> get(() -> extractRequest(request -> audit(ns, request))))));
  }

  private Route watch(String ns, HttpRequest request) {
    return respond(request, false, id -> {
      Query q = request.getUri().query();
      OptionalLong from = KvInput.offset("from", KvInput.parameter(q, "from"));
      // A reconnecting EventSource sends Last-Event-ID and the URL it first had: the header is newer.
      OptionalLong lastEventId = KvInput.offset("Last-Event-ID", KvInput.header(request, "Last-Event-ID"));
      ChangeLog.Filter filter = KvInput.changeFilter(q);
      if (filter.since().isPresent() || filter.until().isPresent() || filter.principal().isPresent()) {
        throw ApiError.badRequest("bad_parameter", "a watch filters by key or prefix only; since, until and "
            + "principal are for GET /v1/audit/{namespace}");
      }
      boolean values = KvInput.flag("values", KvInput.parameter(q, "values"));
      boolean ndjson = KvInput.header(request, "Accept").map(a -> a.contains("application/x-ndjson")).orElse(false);
      OptionalLong start = lastEventId.isPresent() ? lastEventId : from;
      return strong(ns, "watch").thenCompose(namespace ->
          (start.isPresent() ? CompletableFuture.completedFuture(start.getAsLong()) : changes.head())
              .thenApply(after -> stream(namespace, after, filter, values, ndjson)));
    });
  }

  private HttpResponse stream(NamespaceDefinition namespace, long after, ChangeLog.Filter filter, boolean values,
                              boolean ndjson) {
    var events = changes.follow(namespace.storageName(), after, filter)
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
  private Route audit(String ns, HttpRequest request) {
    return respond(request, false, id -> {
      Query q = request.getUri().query();
      ChangeLog.Filter filter = KvInput.changeFilter(q);
      int limit = KvInput.limit(KvInput.parameter(q, "limit"), KvInput.MAX_HISTORY_LIMIT);
      long cursor = KvInput.offset("cursor", KvInput.parameter(q, "cursor")).orElse(0);
      boolean values = KvInput.flag("values", KvInput.parameter(q, "values"));
      return strong(ns, "audit").thenCompose(namespace ->
          changes.page(namespace.storageName(), cursor, limit, filter).thenApply(page -> {
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
