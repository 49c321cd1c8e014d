/**
 * A real Azurite blob service for tests: {@link io.klio.testkit.azure.Azurite}, a JUnit 5 extension
 * that runs npm's {@code azurite-blob} on loopback with in-memory storage.
 */
package io.klio.testkit.azure;
