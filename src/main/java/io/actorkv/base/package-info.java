/**
 * What every other package stands on and nothing else: how our code
 * continues Pekko's futures ({@link io.actorkv.base.Stages}), the marker for
 * messages that cross a process boundary, stable type names for what the
 * journal stores, and injected time. It imports no other ActorKV package.
 */
package io.actorkv.base;
