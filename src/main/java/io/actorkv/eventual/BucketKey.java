package io.actorkv.eventual;

import org.apache.pekko.cluster.ddata.Key;

/** The Distributed Data key of a {@link Bucket}: {@code ev|<namespace>|<n>}. */
public final class BucketKey extends Key<Bucket> {

  public BucketKey(String id) {
    super(id);
  }
}
