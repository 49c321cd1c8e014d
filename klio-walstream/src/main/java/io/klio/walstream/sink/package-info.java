/** The directory {@link io.klio.walstream.WalSink}: pg_receivewal's on-disk behaviour. */
package io.klio.walstream.sink;
