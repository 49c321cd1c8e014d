/** The lookup of Klio's extension points ({@link io.klio.api.spi.Providers}). */
package io.klio.api.spi;
