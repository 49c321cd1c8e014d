/** A certificate authority generated at run time, for TLS and mTLS tests. */
package io.klio.testkit.tls;
