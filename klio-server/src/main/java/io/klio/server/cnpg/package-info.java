/**
 * The CNPG-I plugin on the instance side: what {@code klio plugin serve} runs next to PostgreSQL in
 * a CloudNativePG pod, serving the CNPG-I services (klio-cnpg-i) on the unix socket CloudNativePG's
 * instance manager finds in {@code /plugins}. {@link io.klio.server.cnpg.PluginServer} is the
 * whole; docs/kubernetes.md says what it offers and why.
 *
 * <p>It lives in the distribution, not in a module of its own, because it is an assembly of what
 * the distribution's commands already are: the client configuration ({@code
 * io.klio.server.config.ClientConfig}), get-wal's fetching and spool ({@code
 * io.klio.server.walfetch}), and, as they come, the code of {@code klio backup} and {@code klio
 * restore}; a separate module would have to depend on klio-server, which depends on it.
 */
package io.klio.server.cnpg;
