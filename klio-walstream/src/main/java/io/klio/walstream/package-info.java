/**
 * PostgreSQL frontend/backend protocol v3 client for physical replication, and the WAL receiver
 * that writes through the {@code WalSink} SPI. Work on this module arrives with its own issue; it
 * depends only on the JDK, klio-api, a SCRAM library and the SLF4J API, because other tools embed
 * it.
 */
package io.klio.walstream;
