package io.klio.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Klio server: a StatefulSet of one pod with its Tier 1 volume, a Service, its TLS material and
 * its configuration Secret, all owned by this resource.
 */
@Group(KlioGroup.NAME)
@Version(KlioGroup.VERSION)
@ShortNames("klio")
public final class Server extends CustomResource<ServerSpec, ResourceStatus>
    implements Namespaced {}
