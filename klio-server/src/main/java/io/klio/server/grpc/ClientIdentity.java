package io.klio.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who the caller is: the subject CN of its client certificate, which names the one cluster it may
 * act for (or an administrator). Without TLS (insecure mode) there is no identity and every call is
 * allowed.
 */
public final class ClientIdentity {

  private static final Context.Key<Optional<String>> KEY = Context.key("klio-client-identity");

  private ClientIdentity() {}

  /** The interceptor that puts the caller's identity into the call's context. */
  public static ServerInterceptor interceptor(boolean tls) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<String> id = Optional.empty();
        if (tls) {
          SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
          id = session == null ? Optional.empty() : commonName(session);
          if (id.isEmpty()) {
            call.close(
                Status.UNAUTHENTICATED.withDescription(
                    "a client certificate with a subject CN is required"),
                new Metadata());
            return new ServerCall.Listener<>() {};
          }
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, id), call, headers, next);
      }
    };
  }

  /**
   * The context a WAL socket connection's stream runs in: the identity of its TLS peer ({@link
   * #commonName}), or none in insecure mode.
   */
  public static Context context(Optional<String> id) {
    return Context.current().withValue(KEY, id);
  }

  /** The subject CN of the peer's certificate; empty without one. */
  public static Optional<String> commonName(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
        return Optional.empty();
      }
      for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return Optional.empty();
    }
  }

  /** The caller's identity; empty in insecure mode. */
  public static Optional<String> current() {
    Optional<String> id = KEY.get();
    return id == null ? Optional.empty() : id;
  }

  /** Fails with PERMISSION_DENIED unless the caller may act for {@code cluster}. */
  public static void authorize(String cluster) {
    Optional<String> id = current();
    if (id.isPresent() && !id.get().equals(cluster)) {
      throw new StatusRuntimeException(
          Status.PERMISSION_DENIED.withDescription(
              "the client certificate was issued for '"
                  + id.get()
                  + "', which may not act for cluster '"
                  + cluster
                  + "'"));
    }
  }

  /** Fails with PERMISSION_DENIED unless the caller is one of {@code admins}. */
  public static void authorizeAdmin(List<String> admins) {
    Optional<String> id = current();
    if (id.isPresent() && !admins.contains(id.get())) {
      throw new StatusRuntimeException(
          Status.PERMISSION_DENIED.withDescription(
              "'" + id.get() + "' is not an administrator of this server (see 'admins')"));
    }
  }
}
