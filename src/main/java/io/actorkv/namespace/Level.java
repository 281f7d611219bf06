package io.actorkv.namespace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How many replicas an eventual read or write must reach before it is
 * answered: this node only, a majority of the members, all of them, or a
 * number of them ({@code count}, counting this node).
 */
public record Level(Kind kind, int count) {

  public enum Kind { LOCAL, MAJORITY, ALL, COUNT }

  public static final Level LOCAL = new Level(Kind.LOCAL, 1);
  public static final Level MAJORITY = new Level(Kind.MAJORITY, 0);
  public static final Level ALL = new Level(Kind.ALL, 0);

  /** The largest replica count accepted; more members than this is not a cluster we run. */
  static final int MAX_COUNT = 1000;

  /** @throws IllegalArgumentException for anything but local, majority, all or a count 1..1000 */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Level parse(String text) {
    switch (text) {
      case "local":
        return LOCAL;
      case "majority":
        return MAJORITY;
      case "all":
        return ALL;
      default:
        if (text.matches("[0-9]{1,4}")) {
          int n = Integer.parseInt(text);
          if (n >= 1 && n <= MAX_COUNT) return n == 1 ? LOCAL : new Level(Kind.COUNT, n);
        }
        throw new IllegalArgumentException(
            "a level is local, majority, all or a replica count from 1 to " + MAX_COUNT + ", not '" + text + "'");
    }
  }

  /** Replicas needed out of {@code members}, counting this node. */
  public int required(int members) {
    return switch (kind) {
      case LOCAL -> 1;
      case MAJORITY -> members / 2 + 1;
      case ALL -> members;
      case COUNT -> count;
    };
  }

  @JsonValue
  @Override
  public String toString() {
    return switch (kind) {
      case LOCAL -> "local";
      case MAJORITY -> "majority";
      case ALL -> "all";
      case COUNT -> Integer.toString(count);
    };
  }
}
