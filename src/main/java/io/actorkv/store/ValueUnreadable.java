package io.actorkv.store;

/**
 * A stored value that cannot be decrypted: its namespace was shredded (its
 * data key destroyed, so nobody can read it again), or the bytes do not
 * open under their own namespace, key and revision (the database was
 * altered, or a row moved onto another key). Never answered with a value.
 */
public final class ValueUnreadable extends RuntimeException {

  private final boolean shredded;

  private ValueUnreadable(boolean shredded, String message) {
    super(message, null, false, false);
    this.shredded = shredded;
  }

  public static ValueUnreadable shredded(String namespace) {
    return new ValueUnreadable(true, "namespace '" + namespace + "' was shredded: its data key is destroyed");
  }

  public static ValueUnreadable tampered(String where) {
    return new ValueUnreadable(false, "the value stored for " + where + " does not decrypt under its namespace, "
        + "key and revision");
  }

  public boolean shredded() {
    return shredded;
  }
}
