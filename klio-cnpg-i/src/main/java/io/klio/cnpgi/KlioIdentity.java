package io.klio.cnpgi;

import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesRequest;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesResponse;
import io.klio.cnpgi.identity.v1.GetPluginMetadataRequest;
import io.klio.cnpgi.identity.v1.GetPluginMetadataResponse;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.cnpgi.identity.v1.ProbeRequest;
import io.klio.cnpgi.identity.v1.ProbeResponse;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * CNPG-I {@code Identity} of Klio, on either side: the plugin's one name ({@value #NAME}, which
 * CloudNativePG finds the instance sidecar's socket and the operator's Service by), its version and
 * licence, the services this process offers, and readiness as {@code ready} says. Thread-safe.
 */
public final class KlioIdentity extends IdentityGrpc.IdentityImplBase {
  /** The plugin's name: the socket file name in /plugins, and the plugin Service's label. */
  public static final String NAME = "klio.cloudnative-pg.io";

  private final GetPluginMetadataResponse metadata;
  private final GetPluginCapabilitiesResponse capabilities;
  private final BooleanSupplier ready;

  /** An identity offering {@code services}, described by {@code description}. */
  public KlioIdentity(
      String version,
      String description,
      BooleanSupplier ready,
      List<PluginCapability.Service.Type> services) {
    this.ready = ready;
    this.metadata =
        GetPluginMetadataResponse.newBuilder()
            .setName(NAME)
            .setVersion(version)
            .setDisplayName("Klio")
            .setDescription(description)
            .setLicense("Apache-2.0")
            .setLicenseUrl("https://www.apache.org/licenses/LICENSE-2.0")
            .setMaturity("alpha")
            .build();
    GetPluginCapabilitiesResponse.Builder b = GetPluginCapabilitiesResponse.newBuilder();
    for (PluginCapability.Service.Type t : services) {
      b.addCapabilities(
          PluginCapability.newBuilder()
              .setService(PluginCapability.Service.newBuilder().setType(t)));
    }
    this.capabilities = b.build();
  }

  @Override
  public void getPluginMetadata(
      GetPluginMetadataRequest request, StreamObserver<GetPluginMetadataResponse> response) {
    response.onNext(metadata);
    response.onCompleted();
  }

  @Override
  public void getPluginCapabilities(
      GetPluginCapabilitiesRequest request,
      StreamObserver<GetPluginCapabilitiesResponse> response) {
    response.onNext(capabilities);
    response.onCompleted();
  }

  @Override
  public void probe(ProbeRequest request, StreamObserver<ProbeResponse> response) {
    response.onNext(ProbeResponse.newBuilder().setReady(ready.getAsBoolean()).build());
    response.onCompleted();
  }
}
