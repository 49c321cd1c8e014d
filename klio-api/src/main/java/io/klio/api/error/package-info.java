/**
 * The failure classification shared by every Klio module: {@link
 * io.klio.api.error.NotFoundException}, {@link io.klio.api.error.RetryableException} and {@link
 * io.klio.api.error.PermanentException}, all under {@link io.klio.api.error.KlioException}.
 */
package io.klio.api.error;
