/**
 * The v1 HTTP API. Routes read and check the input, find the namespace,
 * hand one request to the {@link io.actorkv.store.KeyValueStore} and render
 * its outcome ({@link io.actorkv.http.KeyResponses}); every failure becomes
 * an {@link io.actorkv.http.ApiError} with a JSON body. Nothing here knows
 * how either mode stores a key.
 */
package io.actorkv.http;
