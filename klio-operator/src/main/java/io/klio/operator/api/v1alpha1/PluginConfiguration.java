package io.klio.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How one CloudNativePG {@code Cluster} uses a Klio {@link Server}: the name it is archived under,
 * its mode, synchronous replication, WAL prefetch and retention. Ready only when its Server is.
 */
@Group(KlioGroup.NAME)
@Version(KlioGroup.VERSION)
@ShortNames("kliopc")
public final class PluginConfiguration
    extends CustomResource<PluginConfigurationSpec, ResourceStatus> implements Namespaced {}
