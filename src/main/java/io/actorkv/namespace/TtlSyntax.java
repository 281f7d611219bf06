package io.actorkv.namespace;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one syntax for times to live, in requests and namespace definitions: {@code 30s}, {@code 5m}, ... */
public final class TtlSyntax {

  public static final Duration MAX = Duration.ofDays(365 * 100);

  private static final Pattern TTL = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final String RANGE = "ttl must be more than 0 and at most 100 years";

  private TtlSyntax() {}

  /** @throws IllegalArgumentException with the reason, for anything but a whole number of ms, s, m, h or d */
  public static Duration parse(String text) {
    Matcher m = TTL.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "ttl must be a whole number followed by ms, s, m, h or d (e.g. 30s, 5m), not '" + text + "'");
    }
    String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
    if (digits.length() > 12) throw new IllegalArgumentException(RANGE + ", not '" + text + "'");
    long n = Long.parseLong(digits);
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.isZero() || d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(RANGE + ", not '" + text + "'");
    }
    return d;
  }
}
