package io.actorkv.store;

import io.actorkv.namespace.NamespaceDefinition;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The changes of strong keys in the order the journal stored them, each at
 * its offset (the journal's ordering column): the change feed follows it,
 * the audit endpoint pages through it. Both read committed events only and
 * never pass over an offset that a write still in progress may yet fill, so
 * a reader that resumes after the last offset it got misses nothing and
 * gets nothing twice.
 */
public interface ChangeLog {

  /**
   * One change of a key of {@code namespace} (as stored: with {@code ~n} for
   * a later incarnation); {@code sealed}: {@code value} is still encrypted,
   * as the key index keeps it.
   */
  record Entry(long offset, String namespace, String key, Change change, byte[] value, boolean sealed) {

    public Entry(long offset, String namespace, String key, Change change, byte[] value) {
      this(offset, namespace, key, change, value, false);
    }

    /**
     * How the feed, the audit endpoint and {@code actorkv audit report} show
     * it: the namespace as clients name it, with its incarnation if it is
     * not the first; the value (base64) only if asked, and never while
     * sealed (a report read without the data keys says {@code "sealed":
     * true} instead).
     */
    public Map<String, Object> fields(boolean withValue) {
      Map<String, Object> line = new LinkedHashMap<>();
      long incarnation = NamespaceDefinition.incarnationOf(namespace);
      line.put("offset", offset);
      line.put("namespace", NamespaceDefinition.nameOf(namespace));
      line.put("incarnation", incarnation == 0 ? null : incarnation);
      line.put("key", key);
      line.put("revision", change.revision());
      line.put("operation", change.operation());
      line.put("principal", change.principal());
      line.put("time", change.time());
      line.put("contentType", change.contentType());
      line.put("size", change.size());
      line.put("sha256", change.sha256());
      line.put("expires", change.expires());
      line.put("by", change.by());
      line.put("from", change.from());
      line.put("hash", change.hash());
      line.put("value", withValue && value != null && !sealed ? Base64.getEncoder().encodeToString(value) : null);
      line.put("sealed", sealed ? true : null);
      line.values().removeIf(v -> v == null);
      return line;
    }
  }

  /**
   * A page: the entries found, the offset to read on after (every offset up
   * to it was looked at), and whether the read stopped at a limit, so that
   * more changes may follow at once.
   */
  record Page(List<Entry> entries, long next, boolean more) {}

  /**
   * Which changes a reader gets; empty parts let everything through.
   * {@code readable}, when present, holds the only key prefixes the reader
   * may see (its grants): a change of any other key is never handed out,
   * whatever else the filter asks for.
   */
  record Filter(Optional<String> key, Optional<String> prefix, Optional<Instant> since, Optional<Instant> until,
                Optional<String> principal, Optional<List<String>> readable) {

    public Filter {
      if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
        throw new IllegalArgumentException("since (" + since.get() + ") must be before until (" + until.get()
            + "): the range holds no time");
      }
    }

    public static final Filter ALL = new Filter(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());

    /** A filter of a reader who may see every key. */
    public Filter(Optional<String> key, Optional<String> prefix, Optional<Instant> since, Optional<Instant> until,
                  Optional<String> principal) {
      this(key, prefix, since, until, principal, Optional.empty());
    }

    /** This filter for a reader who may see only keys under {@code prefixes}. */
    public Filter readableOnly(List<String> prefixes) {
      return new Filter(key, prefix, since, until, principal, Optional.of(List.copyOf(prefixes)));
    }

    /**
     * A time as the filters take it: a date (midnight UTC) or an instant.
     * @throws IllegalArgumentException naming {@code name} if it is neither
     */
    public static Optional<Instant> time(String name, String given) {
      if (given == null) return Optional.empty();
      try {
        return Optional.of(given.length() == 10 ? LocalDate.parse(given).atStartOfDay().toInstant(ZoneOffset.UTC)
            : Instant.parse(given));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(name + " must be a date (2026-12-04) or an instant "
            + "(2026-12-04T10:15:30Z), not '" + given + "'");
      }
    }

    public boolean acceptsKey(String k) {
      return key.map(k::equals).orElse(true) && prefix.map(k::startsWith).orElse(true)
          && readable.map(prefixes -> prefixes.stream().anyMatch(k::startsWith)).orElse(true);
    }

    public boolean accepts(String k, Change change) {
      return acceptsKey(k)
          && since.map(s -> change.time() != null && !change.time().isBefore(s)).orElse(true)
          && until.map(u -> change.time() != null && change.time().isBefore(u)).orElse(true)
          && principal.map(p -> p.equals(change.principal())).orElse(true);
    }
  }

  /** The journal's database did not answer: the reader may try again. */
  final class Unavailable extends RuntimeException {
    public Unavailable(Throwable cause) {
      super("the journal's database did not answer: " + cause.getMessage(), cause);
    }
  }

  /** The highest offset the journal holds now: a reader that starts after it sees only what comes next. */
  CompletionStage<Long> head();

  /**
   * Up to {@code limit} changes of the namespace stored as {@code namespace}
   * after offset {@code after} that {@code filter} lets through, in journal
   * order. It stops early before an offset a write in progress may still
   * fill; {@code next} says where to go on.
   */
  CompletionStage<Page> page(String namespace, long after, int limit, Filter filter);

  /**
   * The changes of the namespace after offset {@code after}, as they commit,
   * without end. It reads only as fast as it is pulled, so a slow reader
   * holds at most one page in memory.
   */
  Source<Entry, NotUsed> follow(String namespace, long after, Filter filter);
}
