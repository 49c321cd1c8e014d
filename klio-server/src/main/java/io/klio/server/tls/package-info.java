/**
 * TLS material for a Klio server and its clients without a PKI of one's own: {@link
 * io.klio.server.tls.CertificateAuthority} issues the server certificate and one client certificate
 * per cluster, as {@code klio tls} writes them.
 */
package io.klio.server.tls;
