package io.actorkv.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorkv.eventual.EventualReply;
import io.actorkv.eventual.EventualSerializer;
import io.actorkv.eventual.Version;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** The HTTP answers of eventual namespaces. */
final class EventualResponses {

  private EventualResponses() {}

  static HttpResponse read(EventualReply reply) {
    if (reply instanceof EventualReply.Found found) {
      RawHeader context = context(EventualSerializer.encodeContext(found.context()));
      if (found.values().size() == 1) {
        Version v = found.values().get(0);
        HttpResponse response = HttpResponse.create()
            .withEntity(HttpEntities.create(KvRoutes.contentType(v.contentType()), v.value()))
            .addHeader(context)
            .addHeader(RawHeader.create(KvRoutes.MODIFIED_HEADER, Instant.ofEpochMilli(v.timestamp()).toString()));
        return v.expiresAt() == 0 ? response
            : response.addHeader(RawHeader.create(KvRoutes.EXPIRES_HEADER, Instant.ofEpochMilli(v.expiresAt()).toString()));
      }
      return Json.response(StatusCodes.MULTIPLE_CHOICES, new Siblings(
              found.values().stream().map(Sibling::of).toList(), context.value()))
          .addHeader(context);
    }
    if (reply instanceof EventualReply.CounterValue counter) {
      return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
          Long.toString(counter.value())));
    }
    return common(reply);
  }

  /** The body of a {@code 300 Multiple Choices}: every concurrent value, and the context that supersedes them all. */
  record Siblings(List<Sibling> siblings, String context) {}

  /** One concurrent value, its bytes in base64. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Sibling(String value, String contentType, Instant modified, Instant expires) {
    static Sibling of(Version v) {
      return new Sibling(Base64.getEncoder().encodeToString(v.value()), v.contentType(),
          Instant.ofEpochMilli(v.timestamp()), v.expiresAt() == 0 ? null : Instant.ofEpochMilli(v.expiresAt()));
    }
  }

  static HttpResponse write(EventualReply reply) {
    if (reply instanceof EventualReply.Written written) {
      String context = EventualSerializer.encodeContext(written.context());
      return Json.response(written.created() ? StatusCodes.CREATED : StatusCodes.OK,
              Map.of("context", context, "created", written.created()))
          .addHeader(context(context));
    }
    if (reply instanceof EventualReply.Deleted deleted) {
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
          .addHeader(context(EventualSerializer.encodeContext(deleted.context())));
    }
    if (reply instanceof EventualReply.Counted counted) {
      return Json.response(StatusCodes.OK, Map.of("value", counted.value()));
    }
    if (reply instanceof EventualReply.PreconditionFailed) {
      return ApiError.of(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
          "the key has a value on this node; nothing was written (If-None-Match is checked on this node only)")
          .with("exists", true).response();
    }
    return common(reply);
  }

  private static HttpResponse common(EventualReply reply) {
    if (reply instanceof EventualReply.NotFound) return KvRoutes.keyNotFound();
    if (reply instanceof EventualReply.WrongKind wrong) return KvRoutes.wrongKind(wrong.existing());
    if (reply instanceof EventualReply.CounterOverflow) return KvRoutes.counterOverflow();
    if (reply instanceof EventualReply.BucketFull full) {
      return ApiError.of(StatusCodes.INSUFFICIENT_STORAGE, "bucket_full",
              "the key's bucket would exceed " + full.limitBytes() + " bytes, more than one replication message "
                  + "carries; nothing was written. Delete keys, or use a namespace with more buckets")
          .with("bucketBytes", full.bucketBytes()).with("limitBytes", full.limitBytes()).response();
    }
    if (reply instanceof EventualReply.LevelNotReached failed) return levelNotReached(failed);
    throw new IllegalStateException("unexpected reply " + reply);
  }

  private static HttpResponse levelNotReached(EventualReply.LevelNotReached f) {
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

  private static RawHeader context(String encoded) {
    return RawHeader.create(KvRoutes.CONTEXT_HEADER, encoded);
  }
}
