/**
 * What every consumer of archived WAL in a recovery does, whatever calls it: fetching a file from
 * the Klio server with retries, writing it where PostgreSQL wants it, and keeping the next segments
 * in a spool. {@code klio get-wal} (one process per file) and the CNPG-I plugin's {@code
 * WAL.Restore} (a long-lived process) share it.
 */
package io.klio.server.walfetch;
