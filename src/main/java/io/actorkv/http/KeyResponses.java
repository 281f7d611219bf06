package io.actorkv.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorkv.store.KeyOutcome;
import io.actorkv.store.Stamp;
import io.actorkv.store.Value;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The HTTP answer to each {@link KeyOutcome}, strong and eventual side by
 * side: where the modes differ, it is in how the key's {@link Stamp} shows
 * (a revision as {@code ETag} and {@code X-KV-Revision}, a causal context as
 * {@code X-KV-Context}).
 */
final class KeyResponses {

  static final String REVISION_HEADER = "X-KV-Revision";
  static final String EXPIRES_HEADER = "X-KV-Expires";
  static final String MODIFIED_HEADER = "X-KV-Modified";
  static final String CONTEXT_HEADER = "X-KV-Context";
  /** How many distinct stored content types {@link #contentType} keeps parsed. */
  static final int PARSED_CONTENT_TYPES = 256;
  private static final ConcurrentHashMap<String, ContentType> PARSED = new ConcurrentHashMap<>();

  private KeyResponses() {}

  static HttpResponse render(KeyOutcome outcome) {
    if (outcome instanceof KeyOutcome.Found found) return found(found);
    if (outcome instanceof KeyOutcome.CounterFound counter) {
      return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
          counter.value().toString()));
    }
    if (outcome instanceof KeyOutcome.NotFound) return ApiError.keyNotFound().response();
    if (outcome instanceof KeyOutcome.Stored stored) return stored(stored);
    if (outcome instanceof KeyOutcome.Deleted deleted) {
      HttpResponse response = HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      return deleted.stamp() instanceof Stamp.Revision r
          ? response.addHeader(RawHeader.create(REVISION_HEADER, Long.toString(r.number())))
          : response.addHeader(context(deleted.stamp()));
    }
    if (outcome instanceof KeyOutcome.Counted counted) {
      return counted.revision().isPresent()
          ? Json.response(StatusCodes.OK, Map.of("value", counted.value(), "revision", counted.revision().getAsLong()))
              .addHeader(etag(counted.revision().getAsLong()))
          : Json.response(StatusCodes.OK, Map.of("value", counted.value()));
    }
    if (outcome instanceof KeyOutcome.PreconditionFailed failed) return preconditionFailed(failed);
    if (outcome instanceof KeyOutcome.WrongKind wrong) return ApiError.wrongKind(wrong.existing()).response();
    if (outcome instanceof KeyOutcome.CounterOverflow) return ApiError.counterOverflow().response();
    if (outcome instanceof KeyOutcome.IdempotencyKeyReused) {
      return ApiError.of(StatusCodes.UNPROCESSABLE_ENTITY, "idempotency_key_reused", "this Idempotency-Key was "
          + "sent with another request to this key (another body, headers or parameters); nothing was written. "
          + "Use a new key for a new request").response();
    }
    if (outcome instanceof KeyOutcome.BucketFull full) {
      return ApiError.of(StatusCodes.INSUFFICIENT_STORAGE, "bucket_full",
              "the key's bucket would exceed " + full.limitBytes() + " bytes, more than one replication message "
                  + "carries; nothing was written. Delete keys, or use a namespace with more buckets")
          .with("bucketBytes", full.bucketBytes()).with("limitBytes", full.limitBytes()).response();
    }
    if (outcome instanceof KeyOutcome.LevelNotReached failed) return levelNotReached(failed);
    if (outcome instanceof KeyOutcome.RevisionNotFound missing) {
      return ApiError.of(StatusCodes.NOT_FOUND, "revision_not_found",
              "the key has no revision " + missing.revision() + "; its latest is " + missing.head())
          .with("revision", missing.revision()).with("head", missing.head()).response();
    }
    if (outcome instanceof KeyOutcome.RevisionCompacted compacted) {
      return ApiError.of(StatusCodes.GONE, "revision_compacted", "revision " + compacted.revision()
              + " was removed from the journal by the namespace's history retention")
          .with("revision", compacted.revision()).with("oldest", compacted.oldest()).response();
    }
    if (outcome instanceof KeyOutcome.NothingToRevertTo none) {
      return ApiError.of(StatusCodes.CONFLICT, "nothing_to_revert_to", "at revision " + none.revision()
              + " the key held " + (none.held().equals("counter") ? "a counter" : "no value")
              + "; a revert restores a value; nothing was written")
          .with("revision", none.revision()).with("held", none.held()).response();
    }
    if (outcome instanceof KeyOutcome.History history) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("revisions", history.changes());
      if (history.next().isPresent()) body.put("next", Long.toString(history.next().getAsLong()));
      if (history.compactedThrough() > 0) body.put("compactedThrough", history.compactedThrough());
      return Json.response(StatusCodes.OK, body);
    }
    if (outcome instanceof KeyOutcome.Listing listing) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("keys", listing.keys().stream().map(KeyResponses::listed).toList());
      listing.next().ifPresent(last -> body.put("next", KvInput.listCursor(last)));
      return Json.response(StatusCodes.OK, body);
    }
    if (outcome instanceof KeyOutcome.RangeDeleted deleted) {
      return Json.response(StatusCodes.OK, Map.of("deleted", deleted.deleted(), "more", deleted.more()));
    }
    if (outcome instanceof KeyOutcome.KeyCount count) {
      return Json.response(StatusCodes.OK, Map.of("count", count.count()));
    }
    if (outcome instanceof KeyOutcome.Invalid invalid) {
      return ApiError.badRequest(invalid.code(), invalid.message()).response();
    }
    if (outcome instanceof KeyOutcome.NotReady) return ApiError.notReady().response();
    if (outcome instanceof KeyOutcome.KeyLocked locked) return ApiError.keyLocked(locked.retryAfterSeconds()).response();
    if (outcome instanceof KeyOutcome.Forbidden forbidden) {
      return Guard.forbidden(forbidden.permission() + " on " + forbidden.keys() + " of namespace '"
          + forbidden.namespace() + "'").response();
    }
    throw new IllegalStateException("unexpected outcome " + outcome);
  }

  /** One value with its headers, or (siblings) every value in a {@code 300 Multiple Choices}. */
  private static HttpResponse found(KeyOutcome.Found found) {
    if (found.values().size() > 1) {
      RawHeader context = context(found.stamp());
      return Json.response(StatusCodes.MULTIPLE_CHOICES,
              new Siblings(found.values().stream().map(Sibling::of).toList(), context.value()))
          .addHeader(context);
    }
    Value v = found.values().get(0);
    HttpResponse response = HttpResponse.create()
        .withEntity(HttpEntities.create(contentType(v.contentType()), v.bytes()));
    if (found.stamp() instanceof Stamp.Revision r) {
      response = response.addHeader(etag(r.number()))
          .addHeader(RawHeader.create(REVISION_HEADER, Long.toString(r.number())));
    } else {
      response = response.addHeader(context(found.stamp()));
    }
    response = response.addHeader(RawHeader.create(MODIFIED_HEADER, v.modified().toString()));
    return v.expires().isNever() ? response
        : response.addHeader(RawHeader.create(EXPIRES_HEADER, v.expires().instant().orElseThrow().toString()));
  }

  /** The body of a {@code 300 Multiple Choices}: every concurrent value, and the context that supersedes them all. */
  record Siblings(List<Sibling> siblings, String context) {}

  /** One concurrent value, its bytes in base64. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Sibling(String value, String contentType, Instant modified, Instant expires) {
    static Sibling of(Value v) {
      return new Sibling(Base64.getEncoder().encodeToString(v.bytes()), v.contentType(), v.modified(),
          v.expires().instant().orElse(null));
    }
  }

  /** One key of a listing; an eventual counter has no modified time, a strong key no siblings. */
  private static Map<String, Object> listed(KeyOutcome.Listed k) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("key", k.key());
    k.revision().ifPresent(r -> line.put("revision", r));
    line.put("size", k.size());
    line.put("contentType", k.value().contentType());
    if (!k.value().modified().equals(Instant.EPOCH)) line.put("modified", k.value().modified());
    k.value().expires().instant().ifPresent(e -> line.put("expires", e));
    if (k.siblings() > 1) line.put("siblings", k.siblings());
    if (k.withValue()) line.put("value", Base64.getEncoder().encodeToString(k.value().bytes()));
    return line;
  }

  /** The body of a successful strong PUT. */
  record Written(long revision, boolean created) {}

  private static HttpResponse stored(KeyOutcome.Stored stored) {
    if (stored.stamp() instanceof Stamp.Revision r) {
      return Json.response(stored.created() ? StatusCodes.CREATED : StatusCodes.OK,
              new Written(r.number(), stored.created()))
          .addHeader(etag(r.number()));
    }
    RawHeader context = context(stored.stamp());
    return Json.response(stored.created() ? StatusCodes.CREATED : StatusCodes.OK,
            Map.of("context", context.value(), "created", stored.created()))
        .addHeader(context);
  }

  private static HttpResponse preconditionFailed(KeyOutcome.PreconditionFailed failed) {
    if (failed.revision().isEmpty()) {
      return ApiError.of(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
              "the key has a value on this node; nothing was written (If-None-Match is checked on this node only)")
          .with("exists", failed.exists()).response();
    }
    long revision = failed.revision().getAsLong();
    return ApiError.of(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
            failed.exists()
                ? "the key is at revision " + revision + "; nothing was written"
                : "the key does not exist; nothing was written")
        .with("revision", revision)
        .with("exists", failed.exists())
        .response();
  }

  private static HttpResponse levelNotReached(KeyOutcome.LevelNotReached f) {
    String message = f.write()
        ? "the write reached " + f.acknowledged() + " of the " + f.required() + " replicas that w=" + f.level()
            + " needs in time. It is stored on this node and will reach the others when they can be reached"
        : "only " + f.acknowledged() + " of the " + f.required() + " replicas that r=" + f.level()
            + " needs answered in time; nothing was changed";
    ApiError error = ApiError.of(StatusCodes.SERVICE_UNAVAILABLE, "level_not_reached", message)
        .with("level", f.level().toString())
        .with("required", f.required())
        .with("members", f.members());
    return (f.write()
        ? error.with("acknowledged", f.acknowledged()).with("storedLocally", true).with("mayHaveApplied", true)
        : error.with("answered", f.acknowledged())).response();
  }

  private static ETag etag(long revision) {
    return ETag.create(EntityTag.create(Long.toString(revision), false));
  }

  private static RawHeader context(Stamp stamp) {
    return RawHeader.create(CONTEXT_HEADER, ((Stamp.Context) stamp).token());
  }

  /**
   * The content type a value was stored with, as a response carries it; one
   * that does not parse is served as {@code application/octet-stream}. Parsed
   * types are kept for the next read, up to {@link #PARSED_CONTENT_TYPES}
   * distinct ones: parsing was 7 % of a GET's allocation.
   */
  static ContentType contentType(String stored) {
    ContentType known = PARSED.get(stored);
    if (known != null) return known;
    ContentType parsed;
    try {
      parsed = ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      parsed = ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (PARSED.size() < PARSED_CONTENT_TYPES) PARSED.put(stored, parsed);
    return parsed;
  }
}
