/**
 * The client side of a Klio server, for programs that embed it (send-wal and get-wal are two): a
 * {@link io.klio.client.KlioConnection} opened with {@link io.klio.client.KlioClientOptions} hands
 * out the WAL sender (a {@code WalSink} for {@code klio-walstream}'s receiver) and the WAL fetcher.
 * This package is the API; {@code io.klio.client.internal} is the implementation, and {@code
 * io.klio.client.wire} the protocol pieces the server shares (neither is an API for applications).
 */
package io.klio.client;
