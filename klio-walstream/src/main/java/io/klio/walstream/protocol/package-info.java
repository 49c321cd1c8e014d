/**
 * The PostgreSQL frontend/backend protocol, version 3.0: one small immutable type per message
 * ({@link io.klio.walstream.protocol.FrontendMessage}, {@link
 * io.klio.walstream.protocol.BackendMessage}, {@link
 * io.klio.walstream.protocol.ReplicationMessage}) and the single decoder of backend messages
 * ({@link io.klio.walstream.protocol.BackendDecoder}). Public for testing and for tools that speak
 * the protocol themselves; most users want {@link io.klio.walstream.PgConnection}.
 */
package io.klio.walstream.protocol;
