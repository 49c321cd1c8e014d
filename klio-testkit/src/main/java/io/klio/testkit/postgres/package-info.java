/**
 * Real PostgreSQL servers for tests: {@link io.klio.testkit.postgres.PostgresExtension} (JUnit 5),
 * {@link io.klio.testkit.postgres.PostgresServer} (one server: start, stop, kill -9, standby,
 * promote), {@link io.klio.testkit.postgres.PostgresConfig} (version, authentication, TLS).
 */
package io.klio.testkit.postgres;
