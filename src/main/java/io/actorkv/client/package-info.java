/**
 * The {@code actorkv bench} load generator.
 *
 * <p>This package owns everything a benchmark run needs on the client side: the command
 * ({@link io.actorkv.client.BenchCommand}), the choice of operations and keys (uniform, or YCSB's
 * scrambled zipfian), the wire encoding for each kind of target (ActorKV's v1 API and etcd's v3
 * JSON gateway, so both stores are driven by the same code), a blocking HTTP/1.1 keep-alive client
 * cheap enough to share two cores with the server under test, closed- and open-loop pacing with
 * latency measured from the intended send time, and the HdrHistogram results. It depends on
 * nothing in the running store, and nothing in the store depends on it.
 */
package io.actorkv.client;
