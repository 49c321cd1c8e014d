/**
 * The relay from Tier 1 to Tier 2: every object put on Tier 1 that belongs to the repository is
 * recorded in a durable outbox in the Tier 1 directory before it is written ({@link
 * RelayingStore}), then copied by key to Tier 2, in an order that respects dependencies ({@link
 * Relay}). Deletions on Tier 1 of objects not yet on Tier 2 wait for the copy (pins).
 */
package io.klio.server.relay;
