/**
 * The assembled Klio distribution: the {@code klio} command line ({@link io.klio.server.cli}) and,
 * as their issues land, the server, the sidecar commands and the CNPG-I instance-side services.
 */
package io.klio.server;
