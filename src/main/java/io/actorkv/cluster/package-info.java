/**
 * The node as a cluster member: how it joins, what it knows of the members
 * and whether it may serve, and, in test mode only, the network faults that
 * partition it from a peer.
 */
package io.actorkv.cluster;
