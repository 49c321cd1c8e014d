package io.klio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/**
 * Encryption at rest.
 *
 * @param keySecret the Secret key holding the key-encryption key (server.yaml {@code
 *     encryption.kek: file:…})
 */
public record Encryption(
    @Required @JsonPropertyDescription("Secret key holding the key-encryption key.")
        SecretKeySelector keySecret) {}
