/**
 * The v1 HTTP API. Routes validate input, call a store or the namespace
 * service, and turn the answer into HTTP; every failure becomes an
 * {@link io.actorkv.http.ApiError} with a JSON body.
 */
package io.actorkv.http;
