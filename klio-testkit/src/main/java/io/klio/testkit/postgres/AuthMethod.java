package io.klio.testkit.postgres;

/**
 * The {@code pg_hba.conf} method for every test connection (local and TCP, normal and replication).
 */
public enum AuthMethod {
  TRUST("trust", "scram-sha-256"),
  PASSWORD("password", "scram-sha-256"),
  MD5("md5", "md5"),
  SCRAM_SHA_256("scram-sha-256", "scram-sha-256");

  final String hbaMethod;
  final String passwordEncryption;

  AuthMethod(String hbaMethod, String passwordEncryption) {
    this.hbaMethod = hbaMethod;
    this.passwordEncryption = passwordEncryption;
  }
}
