package io.actorkv.security;

import io.actorkv.base.CborSerializable;
import java.util.List;

/** What the access registry answers. */
public sealed interface AccessReply extends CborSerializable {

  /** The rules as they are now. */
  record Listing(AccessRules rules) implements AccessReply {}

  /** A role or binding was stored; {@code created} when none of that name was there before. */
  record Stored(boolean created) implements AccessReply {}

  record Removed() implements AccessReply {}

  record NotFound() implements AccessReply {}

  /** The built-in role cannot be defined or removed; nothing changed. */
  record BuiltIn() implements AccessReply {}

  /** The rules would come to {@code bytes}, more than the {@code limit} one message carries; nothing changed. */
  record Full(long bytes, long limit) implements AccessReply {}

  /** A binding named roles that do not exist; nothing changed. */
  record UnknownRoles(List<String> roles) implements AccessReply {}
}
