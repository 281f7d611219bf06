package io.actorkv.store;

/**
 * A stored value that cannot be decrypted: its namespace was shredded (its
 * data key destroyed, so nobody can read it again), or the bytes do not
 * open under their own namespace, key and revision (the database was
 * altered, or a row moved onto another key), or this node has no master
 * key to open them with, or not the one that wraps the namespace's data key.
 * Never answered with a value.
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
        + "key and revision: the stored bytes were altered or moved");
  }

  public static ValueUnreadable withoutKey(String where) {
    return new ValueUnreadable(false, "the value stored for " + where + " is encrypted, and this node was given "
        + "no master key (--master-key-file) to decrypt it");
  }

  public static ValueUnreadable wrappedByAnotherMasterKey(String namespace, String masterKeyId) {
    return new ValueUnreadable(false, "the data key of namespace '" + namespace + "' is wrapped by master key "
        + masterKeyId + ", which this node was not given (--master-key-file, or --previous-master-key-file while "
        + "the master key rotates)");
  }

  /** One another node met, as its {@link #getMessage} told it. */
  public static ValueUnreadable reported(String message) {
    return new ValueUnreadable(false, message);
  }

  public boolean shredded() {
    return shredded;
  }
}
