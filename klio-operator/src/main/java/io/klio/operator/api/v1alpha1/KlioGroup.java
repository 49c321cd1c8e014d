package io.klio.operator.api.v1alpha1;

/** The API group and version of Klio's resources. */
public final class KlioGroup {
  /** The API group. */
  public static final String NAME = "klio.io";

  /** The version of the resources in this package. */
  public static final String VERSION = "v1alpha1";

  private KlioGroup() {}
}
