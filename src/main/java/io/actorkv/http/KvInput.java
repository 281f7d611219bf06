package io.actorkv.http;

import io.actorkv.namespace.Level;
import io.actorkv.namespace.NamespaceDefinition;
import io.actorkv.namespace.TtlSyntax;
import io.actorkv.store.ChangeLog;
import io.actorkv.store.KeyRange;
import io.actorkv.store.Precondition;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Query;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the parts of a key request that clients can get wrong; each failure is a 400 with its reason. */
final class KvInput {

  static final int MAX_KEY_BYTES = 1024;

  private static final Pattern REVISION_TAG = Pattern.compile("\"(\\d{1,18})\"");

  private KvInput() {}

  static String namespace(String name) {
    if (!NamespaceDefinition.isValidName(name)) {
      throw ApiError.badRequest("bad_namespace",
          "namespace names are 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit");
    }
    return name;
  }

  /**
   * The key from the still percent-encoded path after the namespace (it
   * starts with '/'). Slashes belong to the key whether sent raw or as %2F.
   */
  static String key(String encodedRest) {
    String encoded = encodedRest.startsWith("/") ? encodedRest.substring(1) : encodedRest;
    byte[] bytes = percentDecode(encoded);
    if (bytes.length == 0 || bytes.length > MAX_KEY_BYTES) {
      throw ApiError.badRequest("bad_key",
          "a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8; this one has " + bytes.length)
          .with("keyBytes", bytes.length);
    }
    String key = utf8(bytes);
    if (key == null) throw ApiError.badRequest("bad_key", "the key is not valid UTF-8 once percent-decoded");
    return storable(key);
  }

  /** A key given as it is (in a JSON body): 1 to {@link #MAX_KEY_BYTES} bytes of UTF-8, no lone surrogate. */
  static String plainKey(String key) {
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(key)) {
      throw ApiError.badRequest("bad_key", "the key is not valid Unicode (it has a lone surrogate)");
    }
    int length = KeyRange.utf8(key).length;
    if (length == 0 || length > MAX_KEY_BYTES) {
      throw ApiError.badRequest("bad_key", "a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8; this one has "
          + length).with("keyBytes", length);
    }
    if (key.equals(".") || key.equals("..")) {
      throw ApiError.badRequest("bad_key", "a key is not '.' or '..', which no request path can name");
    }
    return storable(key);
  }

  /**
   * {@code key}, if the journal can store it: PostgreSQL's text refuses
   * U+0000, and a key's journal rows are named by it.
   */
  private static String storable(String key) {
    if (key.indexOf('\0') >= 0) throw ApiError.badRequest("bad_key", "a key has no U+0000 (NUL) character");
    return key;
  }

  /**
   * A value given as a JSON string, stored as its UTF-8: a lone surrogate,
   * which has none, is refused with {@code code} rather than replaced.
   */
  static byte[] textValue(String value, String code) {
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
      throw ApiError.badRequest(code, "a value given as text is not valid Unicode (it has a lone surrogate); "
          + "send such bytes as valueBase64");
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw ApiError.badRequest("bad_key", "the key has a truncated percent-escape");
        }
        int hi = RawPath.hex(s.charAt(i + 1));
        int lo = RawPath.hex(s.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw ApiError.badRequest("bad_key", "the key has an invalid percent-escape");
        }
        out.write(hi * 16 + lo);
        i += 3;
      } else if (c < 0x80) {
        out.write(c); // ASCII is its own UTF-8 byte: most keys, with nothing allocated per character
        i++;
      } else {
        int cp = s.codePointAt(i);
        if (Character.getType(cp) == Character.SURROGATE) {
          throw ApiError.badRequest("bad_key", "the key is not valid UTF-8 once percent-decoded");
        }
        byte[] b = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return out.toByteArray();
  }

  /** A query parameter given at most once: {@code ?ttl=1s&ttl=1h} could mean either, so it answers 400. */
  static Optional<String> parameter(Query query, String name) {
    List<String> given = query.getAll(name);
    if (given.size() > 1) {
      throw ApiError.badRequest("ambiguous_parameter", "'" + name + "' is given " + given.size()
          + " times; give it once").with("parameter", name);
    }
    return given.isEmpty() ? Optional.empty() : Optional.of(given.get(0));
  }

  /**
   * Refuses any of {@code names}, parameters of another request that
   * {@code what} would ignore, where a caller relying on one would be
   * misled (a range delete "from a cursor" deletes from the range's start).
   */
  static void refuse(Query query, String what, String why, String... names) {
    for (String name : names) {
      if (!query.getAll(name).isEmpty()) {
        throw ApiError.badRequest("bad_parameter", what + " takes no '" + name + "': " + why)
            .with("parameter", name);
      }
    }
  }

  /** A header sent at most once: two preconditions or two contexts could mean either, so they answer 400. */
  static Optional<String> header(HttpRequest request, String name) {
    String lowerCase = name.toLowerCase(Locale.ROOT);
    String value = null;
    for (HttpHeader h : request.getHeaders()) {
      if (!h.is(lowerCase)) continue;
      if (value != null) {
        throw ApiError.badRequest("ambiguous_header", name + " is sent more than once; send it once")
            .with("header", name);
      }
      value = h.value();
    }
    return Optional.ofNullable(value);
  }

  /**
   * Refuses an {@code Idempotency-Key} on a write of several keys that does
   * not take one ({@code what}: a batch, a range delete): ignored, it let a
   * retried batch apply twice while the client believed it safe.
   */
  static void noIdempotencyKey(HttpRequest request, String what) {
    if (request.getHeader("Idempotency-Key").isPresent()) {
      throw ApiError.badRequest("idempotency_not_supported", what + " takes no Idempotency-Key: only single-key "
          + "writes (PUT, DELETE, increment, revert) and transactions of strong namespaces do; nothing was changed");
    }
  }

  /**
   * The longest content type a value is stored with. Every read answers with
   * it as a header, listings and histories repeat it, and eventual replicas
   * carry it: a PUT's header could be 8 KiB, a JSON body's as long as the body.
   */
  static final int MAX_CONTENT_TYPE_CHARS = 1024;

  /**
   * The content type a value is stored with, as a PUT's {@code Content-Type}
   * header stores it: parsed and written back, so that a batch or a
   * transaction stores {@code application/json; charset=utf-8} as a PUT
   * does. {@code code} is the error's code; one that does not parse or is
   * longer than {@link #MAX_CONTENT_TYPE_CHARS} is refused.
   */
  static String contentType(String given, String code) {
    checkContentTypeLength(given, code);
    try {
      return ContentTypes.parse(given).toString();
    } catch (RuntimeException e) {
      throw ApiError.badRequest(code, "'" + printable(given) + "' is not a content type (type/subtype; parameters)");
    }
  }

  /**
   * A PUT's content type, which Pekko parsed already: only its length is
   * checked. A {@code Content-Type} that Pekko could not parse stays among
   * the headers (a parsed one moves into the entity) and is refused, where
   * the value would be stored as {@code application/octet-stream}.
   */
  static String contentType(HttpRequest request, ContentType parsed) {
    header(request, "Content-Type").ifPresent(unparsed -> {
      throw ApiError.badRequest("bad_content_type", "'" + printable(unparsed)
          + "' is not a content type (type/subtype; parameters)");
    });
    String type = parsed.toString();
    checkContentTypeLength(type, "bad_content_type");
    return type;
  }

  private static void checkContentTypeLength(String type, String code) {
    if (type.length() > MAX_CONTENT_TYPE_CHARS) {
      throw ApiError.badRequest(code, "a content type is at most " + MAX_CONTENT_TYPE_CHARS + " characters; this one "
          + "has " + type.length()).with("limit", MAX_CONTENT_TYPE_CHARS);
    }
  }

  /** {@code given} with control characters shown as U+XXXX, for a message that quotes it. */
  private static String printable(String given) {
    StringBuilder shown = new StringBuilder();
    given.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) shown.append(String.format(Locale.ROOT, "U+%04X", c));
      else shown.appendCodePoint(c);
    });
    return shown.toString();
  }

  static final int MAX_IDEMPOTENCY_KEY = 255;
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1," + MAX_IDEMPOTENCY_KEY + "}");

  /**
   * {@code Idempotency-Key}: 1 to 255 visible ASCII characters (a UUID is
   * usual). Anything else is refused rather than trimmed or cut, so that a
   * retry can never match a key other than the one the client sent.
   */
  static Optional<String> idempotencyKey(Optional<String> given) {
    if (given.isPresent() && !IDEMPOTENCY_KEY.matcher(given.get()).matches()) {
      throw ApiError.badRequest("bad_idempotency_key", "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY
          + " visible ASCII characters (no spaces), such as a UUID; nothing was written")
          .with("length", given.get().length());
    }
    return given;
  }

  /** {@code ?ttl=30s}: see {@link TtlSyntax}. */
  static Duration ttl(Optional<String> ttl) {
    if (ttl.isEmpty()) return null;
    try {
      return TtlSyntax.parse(ttl.get());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_ttl", e.getMessage());
    }
  }

  /** {@code ?r=} or {@code ?w=}: local, majority, all or a replica count; absent means the namespace's default. */
  static Optional<Level> level(String name, Optional<String> given) {
    if (given.isEmpty()) return Optional.empty();
    try {
      return Optional.of(Level.parse(given.get()));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_level", name + ": " + e.getMessage());
    }
  }

  /** {@code ?revision=} or {@code ?to=}: a revision, 1 or more. */
  static OptionalLong revision(String name, Optional<String> given) {
    if (given.isEmpty()) return OptionalLong.empty();
    if (given.get().matches("[0-9]{1,18}")) {
      long n = Long.parseLong(given.get());
      if (n >= 1) return OptionalLong.of(n);
    }
    throw ApiError.badRequest("bad_revision", name + " must be a revision, a whole number from 1 on, not '"
        + given.get() + "'");
  }

  /** The largest page a history answers. */
  static final int MAX_HISTORY_LIMIT = 1000;

  /** The largest page a listing answers. */
  static final int MAX_LIST_LIMIT = 10_000;

  /**
   * {@code ?limit=} of a page: 1 to {@code max} (a history's
   * {@link #MAX_HISTORY_LIMIT}, a listing's {@link #MAX_LIST_LIMIT}), default 100.
   */
  static int limit(Optional<String> given, int max) {
    if (given.isEmpty()) return 100;
    if (given.get().matches("[0-9]{1,9}")) {
      int n = Integer.parseInt(given.get());
      if (n >= 1 && n <= max) return n;
    }
    throw ApiError.badRequest("bad_limit", "limit must be from 1 to " + max + ", not '" + given.get() + "'")
        .with("max", max);
  }

  /** {@code ?cursor=}: the {@code next} of an earlier page. */
  static OptionalLong cursor(Optional<String> given) {
    if (given.isEmpty()) return OptionalLong.empty();
    if (given.get().matches("[0-9]{1,18}")) return OptionalLong.of(Long.parseLong(given.get()));
    throw ApiError.badRequest("bad_cursor", "cursor must be the 'next' of an earlier page, not '" + given.get() + "'");
  }

  /** {@code ?from=}, {@code ?cursor=} of a feed or {@code Last-Event-ID}: a journal offset, 0 or more. */
  static OptionalLong offset(String name, Optional<String> given) {
    if (given.isEmpty()) return OptionalLong.empty();
    String v = given.get().trim();
    if (v.matches("[0-9]{1,18}")) return OptionalLong.of(Long.parseLong(v));
    throw ApiError.badRequest("bad_offset", name + " must be a journal offset, a whole number from 0 on (the id "
        + "of the last event you got), not '" + given.get() + "'").with("parameter", name);
  }

  /** {@code ?values=true} or {@code false} (the default). */
  static boolean flag(String name, Optional<String> given) {
    if (given.isEmpty() || given.get().equals("false")) return false;
    if (given.get().equals("true")) return true;
    throw ApiError.badRequest("bad_flag", name + " must be true or false, not '" + given.get() + "'")
        .with("parameter", name);
  }

  /** {@code ?key=} or {@code ?prefix=} (not both) of a feed or an audit page, and its times and principal. */
  static ChangeLog.Filter changeFilter(Query q) {
    Optional<String> key = parameter(q, "key");
    Optional<String> prefix = parameter(q, "prefix");
    if (key.isPresent() && prefix.isPresent()) {
      throw ApiError.badRequest("ambiguous_parameter", "give key or prefix, not both");
    }
    if (key.isPresent() && key.get().isEmpty()) throw ApiError.badRequest("bad_key", "key must not be empty");
    key.ifPresent(KvInput::storable);
    prefix.ifPresent(KvInput::storable);
    try {
      return new ChangeLog.Filter(key, prefix, ChangeLog.Filter.time("since", parameter(q, "since").orElse(null)),
          ChangeLog.Filter.time("until", parameter(q, "until").orElse(null)), parameter(q, "principal"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_time", e.getMessage());
    }
  }

  /** {@code ?order=newest} (the default) or {@code oldest}: true for newest first. */
  static boolean newestFirst(Optional<String> given) {
    if (given.isEmpty() || given.get().equals("newest")) return true;
    if (given.get().equals("oldest")) return false;
    throw ApiError.badRequest("bad_order", "order must be newest or oldest, not '" + given.get() + "'");
  }

  /**
   * The range of a listing: {@code ?prefix=}, or {@code ?start=} and/or
   * {@code ?end=} (end excluded), or the whole namespace; never both kinds.
   */
  static KeyRange range(Query q) {
    Optional<String> prefix = parameter(q, "prefix");
    Optional<String> start = parameter(q, "start");
    Optional<String> end = parameter(q, "end");
    if (prefix.isPresent() && (start.isPresent() || end.isPresent())) {
      throw ApiError.badRequest("bad_range", "give prefix, or start and end, not both");
    }
    prefix.ifPresent(p -> rangeKey("prefix", p, true));
    start.ifPresent(s -> rangeKey("start", s, true));
    end.ifPresent(e -> rangeKey("end", e, false));
    if (prefix.isPresent()) return KeyRange.prefix(prefix.get());
    KeyRange range = KeyRange.between(start.orElse(""), end);
    if (range.isEmpty()) {
      throw ApiError.badRequest("bad_range", "end must come after start in byte order (end is excluded)");
    }
    return range;
  }

  private static void rangeKey(String name, String given, boolean mayBeEmpty) {
    int bytes = KeyRange.utf8(given).length;
    if ((!mayBeEmpty && bytes == 0) || bytes > MAX_KEY_BYTES) {
      throw ApiError.badRequest("bad_range", name + " is a key: " + (mayBeEmpty ? 0 : 1) + " to " + MAX_KEY_BYTES
          + " bytes of UTF-8; this one has " + bytes).with("parameter", name);
    }
  }

  private static final String CURSOR_VERSION = "k1.";

  /** The cursor a listing's page answers as {@code next}: the last key it gave, opaque to clients. */
  static String listCursor(String lastKey) {
    return CURSOR_VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(KeyRange.utf8(lastKey));
  }

  /** {@code ?cursor=} of a listing: the key the page goes on after, from an earlier page's {@code next}. */
  static Optional<String> listAfter(Optional<String> given) {
    if (given.isEmpty()) return Optional.empty();
    String c = given.get();
    ApiError bad = ApiError.badRequest("bad_cursor", "cursor must be the 'next' of an earlier page, unchanged");
    if (!c.startsWith(CURSOR_VERSION)) throw bad;
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(c.substring(CURSOR_VERSION.length()));
    } catch (IllegalArgumentException e) {
      throw bad;
    }
    String key = bytes.length == 0 || bytes.length > MAX_KEY_BYTES ? null : utf8(bytes);
    if (key == null) throw bad;
    return Optional.of(key);
  }

  /** {@code bytes} as strict UTF-8; null if they are not. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * {@code ?by=}: a whole number in ASCII digits with an optional '-',
   * default 1 ({@link Long#parseLong} alone would also take '+' and the
   * digits of other scripts).
   */
  static long incrementBy(Optional<String> by) {
    if (by.isEmpty()) return 1;
    try {
      if (!by.get().matches("-?[0-9]{1,19}")) throw new NumberFormatException();
      return Long.parseLong(by.get());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("bad_increment", "by must be a whole number from -2^63 to 2^63-1, not '" + by.get() + "'");
    }
  }

  /** {@code If-Match: "<rev>"} or {@code *}, {@code If-None-Match: *}; at most one of them. */
  static Precondition precondition(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
    if (ifMatch.isPresent() && ifNoneMatch.isPresent()) {
      throw ApiError.badRequest("bad_precondition", "send either If-Match or If-None-Match, not both");
    }
    if (ifNoneMatch.isPresent()) {
      if (!ifNoneMatch.get().trim().equals("*")) {
        throw ApiError.badRequest("bad_precondition", "If-None-Match accepts only * (create only)");
      }
      return new Precondition.IfAbsent();
    }
    if (ifMatch.isEmpty()) return Precondition.NONE;
    String value = ifMatch.get().trim();
    if (value.equals("*")) return new Precondition.IfPresent();
    Matcher m = REVISION_TAG.matcher(value);
    if (!m.matches()) {
      throw ApiError.badRequest("bad_precondition",
          "If-Match must be * or one quoted revision such as \"3\", not " + value);
    }
    return new Precondition.IfRevision(Long.parseLong(m.group(1)));
  }
}
