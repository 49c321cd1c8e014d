package io.klio.server.cnpg;

import io.grpc.stub.StreamObserver;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesRequest;
import io.klio.cnpgi.identity.v1.GetPluginCapabilitiesResponse;
import io.klio.cnpgi.identity.v1.GetPluginMetadataRequest;
import io.klio.cnpgi.identity.v1.GetPluginMetadataResponse;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.identity.v1.PluginCapability;
import io.klio.cnpgi.identity.v1.ProbeRequest;
import io.klio.cnpgi.identity.v1.ProbeResponse;

/**
 * CNPG-I {@code Identity}: Klio's name and version, the services this process implements (WAL,
 * Backup and RestoreJobHooks, in every phase of a Pod's life: CloudNativePG's main branch
 * bootstraps inside the instance Pod, so the same sidecar serves the restore), and readiness: ready
 * while the Klio server answers for the cluster.
 */
final class IdentityService extends IdentityGrpc.IdentityImplBase {

  private final GetPluginMetadataResponse metadata;
  private final ServerLink link;

  IdentityService(String version, ServerLink link) {
    this.link = link;
    this.metadata =
        GetPluginMetadataResponse.newBuilder()
            .setName(PluginServer.NAME)
            .setVersion(version)
            .setDisplayName("Klio")
            .setDescription(
                "PostgreSQL WAL archive and base backups on a Klio server: WAL restore, base"
                    + " backups and recovery for CloudNativePG")
            .setLicense("Apache-2.0")
            .setLicenseUrl("https://www.apache.org/licenses/LICENSE-2.0")
            .setMaturity("alpha")
            .build();
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
    response.onNext(
        GetPluginCapabilitiesResponse.newBuilder()
            .addCapabilities(service(PluginCapability.Service.Type.TYPE_WAL_SERVICE))
            .addCapabilities(service(PluginCapability.Service.Type.TYPE_BACKUP_SERVICE))
            .addCapabilities(service(PluginCapability.Service.Type.TYPE_RESTORE_JOB))
            .build());
    response.onCompleted();
  }

  private static PluginCapability service(PluginCapability.Service.Type type) {
    return PluginCapability.newBuilder()
        .setService(PluginCapability.Service.newBuilder().setType(type))
        .build();
  }

  @Override
  public void probe(ProbeRequest request, StreamObserver<ProbeResponse> response) {
    response.onNext(ProbeResponse.newBuilder().setReady(link.reachable()).build());
    response.onCompleted();
  }
}
