package io.actorkv.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The request's path exactly as the client sent it (Pekko's
 * {@code Raw-Request-URI}), the one view the API reads namespaces and keys
 * from. Pekko routes on a normalised path, with {@code .} and {@code ..}
 * segments resolved; a key read from the raw path while the namespace came
 * from the normalised one put a value into another namespace than the one
 * named. A path with such segments could mean two things, to us and to any
 * proxy on the way, so it is refused rather than guessed at.
 */
final class RawPath {

  private RawPath() {}

  /** The path of a raw request target: origin-form as it is, absolute-form without scheme and authority; no query. */
  static String of(String target) {
    int start = 0;
    if (!target.startsWith("/")) {
      int scheme = target.indexOf("://");
      int path = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
      if (path < 0) return "/";
      start = path;
    }
    int query = target.indexOf('?', start);
    return target.substring(start, query < 0 ? target.length() : query);
  }

  /** The query of a raw request target, as sent; empty if it has none. */
  static String query(String target) {
    int query = target.indexOf('?');
    return query < 0 ? "" : target.substring(query + 1);
  }

  /**
   * Whether every run of percent-escapes in {@code raw} is UTF-8. Pekko
   * decodes one that is not (%FF) to U+FFFD, so a {@code ?prefix=%FF}
   * deleted the keys under U+FFFD and a subject %FF was bound as U+FFFD:
   * other names than the client sent. Such a target is refused instead.
   */
  static boolean escapesAreUtf8(String raw) {
    int i = raw.indexOf('%');
    if (i < 0) return true;
    CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer run = ByteBuffer.allocate(raw.length() / 3 + 1);
    for (; i <= raw.length(); i++) {
      int hi = i + 2 < raw.length() && raw.charAt(i) == '%' ? hex(raw.charAt(i + 1)) : -1;
      int lo = hi < 0 ? -1 : hex(raw.charAt(i + 2));
      if (lo >= 0) {
        run.put((byte) (hi * 16 + lo));
        i += 2;
        continue;
      }
      if (run.position() > 0) {
        try {
          strict.decode(run.flip());
        } catch (CharacterCodingException e) {
          return false;
        }
        run.clear();
      }
    }
    return true;
  }

  /** ASCII hex only: Character.digit would also take digits of other scripts. */
  static int hex(char c) {
    return c < 0x80 ? Character.digit(c, 16) : -1;
  }

  /** Whether a segment is {@code .} or {@code ..}, as sent or percent-encoded in any case. */
  static boolean hasDotSegment(String path) {
    int segment = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        if (isDots(path, segment, i)) return true;
        segment = i + 1;
      }
    }
    return false;
  }

  private static boolean isDots(String path, int from, int to) {
    int dots = 0;
    for (int i = from; i < to; ) {
      if (path.charAt(i) == '.') {
        i++;
      } else if (path.regionMatches(true, i, "%2e", 0, 3)) {
        i += 3;
      } else {
        return false;
      }
      dots++;
    }
    return dots == 1 || dots == 2;
  }
}
